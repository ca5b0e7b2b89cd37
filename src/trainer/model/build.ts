/**
 * Builds a trainable TF.js LayersModel from an architecture graph (docs/algorithm.md, "Block styles").
 *
 * Only built-in TF.js layers are saved (the two training-only layers of this folder are saved as
 * the built-in BatchNormalization and Conv2D they hold), so an exported model loads with plain
 * `tf.loadLayersModel` without this project. Channel zero-padding of a shortcut or a block
 * output (reference style, docs/algorithm.md, "Shortcuts between different shapes") is therefore Permute → ZeroPadding2D → Permute: the channel
 * axis is moved to a spatial position, padded with exact zeros, and moved back.
 */
import * as tf from '@tensorflow/tfjs';
import { DataInputConv2D } from './data-input-conv';
import { FusedBatchNormalization } from './fused-batch-norm';
import { installReluGradient } from './relu-gradient';
import { ArchitectureError, resolveArchitecture, type ResolvedSkip } from '../../core/arch/resolve';
import type { Architecture } from '../../core/arch/types';
import { CLASSIFIER_NAME, INPUT_NAME, tfLayerName, type LayerRole } from './names';

export interface BuildOptions {
  /** Seeds every initializer (per layer, from this seed and the layer's name): same seed, same weights. */
  seed?: number;
  /**
   * Conv ids whose BN γ starts at 0 (docs/algorithm.md, "Block styles"). In the standard style that BN follows the conv,
   * so a new block whose last conv is listed adds exactly 0 at insertion. In the reference style
   * the BN precedes the conv; with γ = β = 0 and a zero bias the conv outputs ReLU(0) = 0, so the
   * block is function-preserving there too.
   */
  zeroGammaLayers?: readonly string[];
  /**
   * Momentum of the BN moving statistics (Keras' 0.99 by default). Short trainings need less:
   * after n steps the statistics still weigh their initial values by momentumⁿ, which at 0.99
   * and a few hundred steps ruins inference-mode accuracy.
   */
  batchNormMomentum?: number;
}

/** Keras defaults (docs/algorithm.md, "Block styles"). */
export const DEFAULT_BN_MOMENTUM = 0.99;
const BN_EPSILON = 1e-3;

/** FNV-1a over the seed and the layer name: a per-layer seed that does not depend on layer order. */
function layerSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  const text = `${seed}:${name}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

class Builder {
  private readonly names = new Set<string>();
  private readonly owners = new Map<string, string>();
  /** The model's input: a conv reading it needs no input gradient (data-input-conv.ts). */
  input: tf.SymbolicTensor | null = null;

  constructor(
    private readonly seed: number | undefined,
    private readonly bnMomentum: number,
  ) {}

  /** Reserves a TF.js name, failing with the graph id at fault if two (id, role) pairs meet. */
  name(graphId: string, role: LayerRole | 'head'): string {
    const name = role === 'head' ? graphId : tfLayerName(graphId, role);
    if (this.names.has(name)) {
      throw new ArchitectureError(`Id "${graphId}" gives the TF.js layer name "${name}", which "${this.owners.get(name)}" already uses; rename the layer or skip.`, graphId);
    }
    this.names.add(name);
    this.owners.set(name, graphId);
    return name;
  }

  glorot(name: string): ReturnType<typeof tf.initializers.glorotUniform> {
    return tf.initializers.glorotUniform(this.seed === undefined ? {} : { seed: layerSeed(this.seed, name) });
  }

  batchNorm(graphId: string, role: 'bn' | 'projbn', x: tf.SymbolicTensor, zeroGamma = false): tf.SymbolicTensor {
    return new FusedBatchNormalization({
      name: this.name(graphId, role),
      momentum: this.bnMomentum,
      epsilon: BN_EPSILON,
      gammaInitializer: zeroGamma ? 'zeros' : 'ones',
    }).apply(x) as tf.SymbolicTensor;
  }

  conv(graphId: string, x: tf.SymbolicTensor, filters: number, kernel: number, stride: number, opts: { bias: boolean; relu: boolean; role?: 'conv' | 'proj'; padding?: 'same' | 'valid' }): tf.SymbolicTensor {
    const name = this.name(graphId, opts.role ?? 'conv');
    const args = {
      name,
      filters,
      kernelSize: kernel,
      strides: stride,
      padding: opts.padding ?? 'same',
      useBias: opts.bias,
      activation: opts.relu ? 'relu' : 'linear',
      kernelInitializer: this.glorot(name),
      biasInitializer: 'zeros',
    } as const;
    const layer = x === this.input ? new DataInputConv2D(args) : tf.layers.conv2d(args);
    return layer.apply(x) as tf.SymbolicTensor;
  }

  relu(graphId: string, x: tf.SymbolicTensor): tf.SymbolicTensor {
    return tf.layers.activation({ name: this.name(graphId, 'relu'), activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  }

  /** Appends `extra` zero channels (exact: ZeroPadding2D writes zeros, the permutes only move data). */
  padChannels(skipId: string, which: 'main' | 'shortcut', x: tf.SymbolicTensor, extra: number): tf.SymbolicTensor {
    const [inRole, padRole, outRole] = which === 'main' ? (['padmainin', 'padmain', 'padmainout'] as const) : (['padshortcutin', 'padshortcut', 'padshortcutout'] as const);
    const channelsFirst = tf.layers.permute({ name: this.name(skipId, inRole), dims: [3, 1, 2] }).apply(x) as tf.SymbolicTensor;
    const padded = tf.layers.zeroPadding2d({ name: this.name(skipId, padRole), padding: [[0, extra], [0, 0]], dataFormat: 'channelsLast' }).apply(channelsFirst) as tf.SymbolicTensor;
    return tf.layers.permute({ name: this.name(skipId, outRole), dims: [2, 3, 1] }).apply(padded) as tf.SymbolicTensor;
  }

  addShortcut(arch: Architecture, skip: ResolvedSkip, main: tf.SymbolicTensor, shortcut: tf.SymbolicTensor): tf.SymbolicTensor {
    const id = skip.skip.id;
    const { padMain, padShortcut, projection } = skip.adapter;
    let m = main;
    let s = shortcut;
    if (padMain > 0) m = this.padChannels(id, 'main', m, padMain);
    // Stryker disable next-line StringLiteral: every side but 'main' gets the shortcut's layer names.
    if (padShortcut > 0) s = this.padChannels(id, 'shortcut', s, padShortcut);
    if (projection) {
      s = this.conv(id, s, projection.outChannels, 1, projection.stride, { bias: projection.withBias, relu: false, role: 'proj', padding: 'valid' });
      if (projection.withBatchNorm) s = this.batchNorm(id, 'projbn', s);
    }
    const sum = tf.layers.add({ name: this.name(id, 'add') }).apply([m, s]) as tf.SymbolicTensor;
    return arch.blockStyle === 'standard' ? this.relu(id, sum) : sum;
  }
}

export function buildModel(arch: Architecture, opts: BuildOptions = {}): tf.LayersModel {
  // Training these models uses the one-pass ReLU gradient (relu-gradient.ts); the closed-form
  // batch-norm gradient and the first conv without an input gradient come with the layers the
  // builder makes (fused-batch-norm.ts, data-input-conv.ts).
  installReluGradient();
  const resolved = resolveArchitecture(arch);
  const convIds = new Set(arch.layers.filter((l) => l.kind === 'conv').map((l) => l.id));
  for (const id of opts.zeroGammaLayers ?? []) {
    if (!convIds.has(id)) throw new ArchitectureError(`zeroGammaLayers names "${id}", which is not a conv layer of the architecture.`, id);
  }
  // Stryker disable next-line ArrayDeclaration: without the option the set only needs to hold no conv id, and every listed id was checked to be one.
  const zeroGammaLayers = new Set(opts.zeroGammaLayers ?? []);
  const b = new Builder(opts.seed, opts.batchNormMomentum ?? DEFAULT_BN_MOMENTUM);
  const reference = arch.blockStyle === 'reference';
  const skipStartingAt = new Map(resolved.skips.map((s) => [s.fromIndex, s]));
  const skipEndingAt = new Map(resolved.skips.map((s) => [s.toIndex, s]));
  const shortcuts = new Map<string, tf.SymbolicTensor>();

  const input = tf.input({ shape: [arch.input.height, arch.input.width, arch.input.channels], name: b.name(INPUT_NAME, 'head') });
  b.input = input;
  let x: tf.SymbolicTensor = input;
  for (const r of resolved.layers) {
    const { layer } = r;
    const starting = skipStartingAt.get(r.index);
    if (starting) shortcuts.set(starting.skip.id, x);
    switch (layer.kind) {
      case 'conv': {
        const zeroGamma = zeroGammaLayers.has(layer.id);
        if (reference) {
          x = b.batchNorm(layer.id, 'bn', x, zeroGamma);
          x = b.conv(layer.id, x, layer.width, layer.kernel, layer.stride, { bias: true, relu: true });
        } else {
          x = b.conv(layer.id, x, layer.width, layer.kernel, layer.stride, { bias: false, relu: false });
          x = b.batchNorm(layer.id, 'bn', x, zeroGamma);
          if (!r.endsBlock) x = b.relu(layer.id, x);
        }
        break;
      }
      case 'pool': {
        // Valid 2×2/2 pooling; the window shrinks to the map on a smaller map (size 1 on 1×1), as resolve.ts assumes.
        const poolSize: [number, number] = [Math.min(layer.size, r.inShape[0]), Math.min(layer.size, r.inShape[1])];
        const args = { name: b.name(layer.id, 'pool'), poolSize, strides: [layer.stride, layer.stride] as [number, number], padding: 'valid' as const };
        x = (layer.pool === 'max' ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args)).apply(x) as tf.SymbolicTensor;
        break;
      }
      case 'dense': {
        if (r.poolsGlobally) x = tf.layers.globalAveragePooling2d({ name: b.name(layer.id, 'gap') }).apply(x) as tf.SymbolicTensor;
        const name = b.name(layer.id, 'dense');
        x = tf.layers.dense({ name, units: layer.units, activation: 'relu', kernelInitializer: b.glorot(name), biasInitializer: 'zeros' }).apply(x) as tf.SymbolicTensor;
        break;
      }
    }
    const ending = skipEndingAt.get(r.index);
    if (ending) x = b.addShortcut(arch, ending, x, shortcuts.get(ending.skip.id)!);
  }
  if (!arch.layers.some((l) => l.kind === 'dense')) {
    x = tf.layers.globalAveragePooling2d({ name: b.name(CLASSIFIER_NAME, 'gap') }).apply(x) as tf.SymbolicTensor;
  }
  const classifierName = b.name(CLASSIFIER_NAME, 'head');
  const output = tf.layers
    .dense({ name: classifierName, units: arch.numClasses, activation: 'softmax', kernelInitializer: b.glorot(classifierName), biasInitializer: 'zeros' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'resbuilder' });
}
