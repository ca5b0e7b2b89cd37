/**
 * Resolves an architecture graph into what every consumer needs: each layer's input and output
 * shape, which block (skip) each layer belongs to, and how each shortcut is adapted when the
 * shapes at its two ends differ. The FLOP/parameter counts, the MorphNet channel groups and the
 * TF.js model builder all read this, so they agree on the network by construction.
 */
import type { Architecture, BlockStyle, Layer, Skip } from './types';

/** [height, width, channels]. Dense layers have [1, 1, units]. */
export type Shape = [number, number, number];

export class ArchitectureError extends Error {
  constructor(
    message: string,
    /** The id of the layer or skip the problem is about, when there is one. */
    readonly at?: string,
  ) {
    super(message);
  }
}

/**
 * How a shortcut is made to fit the block output it is added to.
 * - reference style (docs/algorithm.md, "Shortcuts between different shapes"): zero-pad whichever side has fewer channels; if the spatial size
 *   differs, a 1×1 conv (stride = the block's stride, 'valid', bias, no BN) on the padded
 *   shortcut. The reference code only builds that conv when the block output has more channels;
 *   here it is used whenever the spatial size differs, so a MORPH step that makes the channel
 *   counts equal cannot produce a net that fails to build.
 * - standard style: a 1×1 conv (stride = the block's stride, no bias) + BN projection to the
 *   block output's channels when channels or spatial size differ; identity otherwise.
 */
export interface ShortcutAdapter {
  /** Zero channels appended to the block output (main path) before the add. */
  padMain: number;
  /** Zero channels appended to the shortcut before the add (and before the projection). */
  padShortcut: number;
  /** A 1×1 conv on the shortcut, or null for none. */
  projection: { stride: number; inChannels: number; outChannels: number; withBatchNorm: boolean; withBias: boolean } | null;
}

export interface ResolvedLayer {
  layer: Layer;
  index: number;
  inShape: Shape;
  outShape: Shape;
  /** The block (skip id) the layer is inside of, if any. */
  blockId?: string;
  /** True for the `to` layer of a skip: the add follows it. */
  endsBlock: boolean;
  /** True for the first dense layer: global average pooling precedes it. */
  poolsGlobally: boolean;
}

export interface ResolvedSkip {
  skip: Skip;
  fromIndex: number;
  toIndex: number;
  /** The tensor entering `from`. */
  shortcutShape: Shape;
  /** The tensor leaving `to`. */
  mainShape: Shape;
  adapter: ShortcutAdapter;
  /** The shape after the add. */
  outShape: Shape;
}

export interface ResolvedArchitecture {
  arch: Architecture;
  layers: ResolvedLayer[];
  skips: ResolvedSkip[];
  /** Shape entering the classifier (after global pooling if no dense layer did it). */
  headInShape: Shape;
  /** Weighted layers on the main path: convs, hidden dense layers and the classifier. */
  depth: number;
}

function convOut(size: number, stride: number): number {
  return Math.ceil(size / stride);
}

function poolOut(size: number, poolSize: number, stride: number): number {
  const effective = size === 1 ? 1 : poolSize;
  if (size < effective) return 1;
  return Math.floor((size - effective) / stride) + 1;
}

function layerOutShape(layer: Layer, inShape: Shape): Shape {
  const [h, w, c] = inShape;
  switch (layer.kind) {
    case 'conv':
      return [convOut(h, layer.stride), convOut(w, layer.stride), layer.width];
    case 'pool':
      return [poolOut(h, layer.size, layer.stride), poolOut(w, layer.size, layer.stride), c];
    case 'dense':
      return [1, 1, layer.units];
  }
}

export function shortcutAdapter(style: BlockStyle, shortcut: Shape, main: Shape): ShortcutAdapter {
  const [sh, sw, cs] = shortcut;
  const [mh, mw, cx] = main;
  // Both axes: on a non-square map (e.g. 1×N) a stride can shrink one axis and not the other.
  const spatialDiffers = sh !== mh || sw !== mw;
  const stride = spatialDiffers ? Math.max(Math.ceil(sh / mh), Math.ceil(sw / mw)) : 1;
  if (style === 'standard') {
    const needsProjection = spatialDiffers || cs !== cx;
    return {
      padMain: 0,
      padShortcut: 0,
      projection: needsProjection ? { stride, inChannels: cs, outChannels: cx, withBatchNorm: true, withBias: false } : null,
    };
  }
  const channels = Math.max(cs, cx);
  return {
    padMain: channels - cx,
    padShortcut: channels - cs,
    projection: spatialDiffers ? { stride, inChannels: channels, outChannels: channels, withBatchNorm: false, withBias: true } : null,
  };
}

/** Checks the graph's structure and computes every shape. Throws ArchitectureError naming the layer or skip at fault. */
export function resolveArchitecture(arch: Architecture): ResolvedArchitecture {
  const indexOf = new Map<string, number>();
  arch.layers.forEach((layer, i) => {
    if (indexOf.has(layer.id)) throw new ArchitectureError(`Duplicate layer id "${layer.id}".`, layer.id);
    indexOf.set(layer.id, i);
  });

  const blockOf = new Array<string | undefined>(arch.layers.length);
  const skipIds = new Set<string>();
  const spans = arch.skips.map((skip) => {
    if (skipIds.has(skip.id) || indexOf.has(skip.id)) throw new ArchitectureError(`Duplicate id "${skip.id}" (skip ids must differ from every layer and skip id).`, skip.id);
    skipIds.add(skip.id);
    const fromIndex = indexOf.get(skip.from);
    const toIndex = indexOf.get(skip.to);
    if (fromIndex === undefined) throw new ArchitectureError(`Skip "${skip.id}" starts at unknown layer "${skip.from}".`, skip.id);
    if (toIndex === undefined) throw new ArchitectureError(`Skip "${skip.id}" ends at unknown layer "${skip.to}".`, skip.id);
    if (fromIndex > toIndex) throw new ArchitectureError(`Skip "${skip.id}" ends ("${skip.to}") before it starts ("${skip.from}").`, skip.id);
    for (let i = fromIndex; i <= toIndex; i++) {
      const layer = arch.layers[i];
      if (layer.kind !== 'conv') throw new ArchitectureError(`Skip "${skip.id}" spans "${layer.id}", a ${layer.kind} layer; a block may only contain conv layers.`, skip.id);
      if (blockOf[i] !== undefined) throw new ArchitectureError(`Skips "${blockOf[i]}" and "${skip.id}" overlap at layer "${layer.id}"; blocks must not overlap.`, skip.id);
      blockOf[i] = skip.id;
    }
    return { skip, fromIndex, toIndex };
  });
  const skipEndingAt = new Map(spans.map((s) => [s.toIndex, s]));
  const skipStartingAt = new Map(spans.map((s) => [s.fromIndex, s]));

  let shape: Shape = [arch.input.height, arch.input.width, arch.input.channels];
  let seenDense = false;
  const layers: ResolvedLayer[] = [];
  const skips: ResolvedSkip[] = [];
  const shortcutShapes = new Map<string, Shape>();
  arch.layers.forEach((layer, index) => {
    if (seenDense && layer.kind !== 'dense') {
      throw new ArchitectureError(`Layer "${layer.id}" (${layer.kind}) follows a dense layer; dense layers must come last.`, layer.id);
    }
    const starting = skipStartingAt.get(index);
    if (starting) shortcutShapes.set(starting.skip.id, shape);
    const poolsGlobally = layer.kind === 'dense' && !seenDense;
    const inShape: Shape = poolsGlobally ? [1, 1, shape[2]] : shape;
    const outShape = layerOutShape(layer, inShape);
    layers.push({ layer, index, inShape, outShape, blockId: blockOf[index], endsBlock: skipEndingAt.has(index), poolsGlobally });
    if (layer.kind === 'dense') seenDense = true;
    shape = outShape;
    const ending = skipEndingAt.get(index);
    if (ending) {
      const shortcutShape = shortcutShapes.get(ending.skip.id)!;
      const adapter = shortcutAdapter(arch.blockStyle, shortcutShape, outShape);
      const [sh, sw] = shortcutShape;
      const [mh, mw] = outShape;
      const stride = adapter.projection?.stride ?? 1;
      // Stryker disable all: unreachable while blocks hold only convs (strides compose: ⌈⌈x/a⌉/b⌉ = ⌈x/ab⌉), kept for a block whose layers change the size otherwise.
      if (convOut(sh, stride) !== mh || convOut(sw, stride) !== mw) {
        throw new ArchitectureError(`Skip "${ending.skip.id}": the shortcut (${sh}×${sw}) cannot be strided to the block output (${mh}×${mw}).`, ending.skip.id);
      }
      // Stryker restore all
      const channels = outShape[2] + adapter.padMain;
      const sumShape: Shape = [outShape[0], outShape[1], adapter.projection ? adapter.projection.outChannels : channels];
      skips.push({ ...ending, shortcutShape, mainShape: outShape, adapter, outShape: sumShape });
      shape = sumShape;
    }
  });
  const headInShape: Shape = seenDense ? shape : [1, 1, shape[2]];
  const depth = arch.layers.filter((l) => l.kind !== 'pool').length + 1;
  return { arch, layers, skips, headInShape, depth };
}
