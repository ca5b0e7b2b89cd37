/**
 * The network as the exporters see it (docs/export.md): the architecture graph turned into a flat
 * list of NCHW operations (what the ONNX writer emits node by node) and a tree of stages, blocks
 * and layers (what the PyTorch writer turns into modules). Both are made in one walk over the
 * resolved graph, so every parameter has exactly one TF.js name, one PyTorch state-dict name and
 * one layout in both files.
 *
 * Where TF.js and NCHW frameworks differ, the difference is settled here:
 * - TF.js 'same' padding puts the odd pixel of a strided conv at the end (bottom/right); the
 *   operations carry explicit [top, left, bottom, right] pads computed from the input size;
 * - conv kernels are HWIO in TF.js and OIHW in ONNX/PyTorch; dense kernels [in, out] in TF.js and
 *   [out, in] in PyTorch (ONNX's Gemm reads that layout with transB = 1);
 * - channels live on axis 3 in TF.js and axis 1 here, so zero channel padding pads axis 1.
 */
import { ArchitectureError, resolveArchitecture, type ResolvedSkip, type Shape } from '../arch/resolve';
import { stagesOf } from '../search/stages';
import type { Architecture, BlockStyle, ConvLayer, Layer } from '../arch/types';
import { CLASSIFIER_NAME, tfLayerName, type LayerRole } from '../arch/layer-names';

/** TF.js batch-norm epsilon of the model builder (Keras' default). */
export const EXPORT_BN_EPSILON = 1e-3;

export type TfParam = 'kernel' | 'bias' | 'gamma' | 'beta' | 'moving_mean' | 'moving_variance';

/** One tensor of the exported weights. */
export interface ExportParam {
  /** The TF.js weight it comes from: `<layer name>/<param>`. */
  tfName: string;
  /** Its name in the PyTorch module's state dict (and in the `.safetensors` file). */
  torchName: string;
  /** Shape in TF.js (HWIO for conv kernels, [in, out] for dense kernels). */
  tfShape: number[];
  /** Shape in the exported layout (OIHW for conv kernels, [out, in] for dense kernels). */
  shape: number[];
  /** Axis permutation from the TF.js layout to the exported one (tf.transpose's `perm`), or null for none. */
  perm: number[] | null;
  /** A batch-norm running statistic: not trained, but part of the state dict. */
  buffer: boolean;
}

export interface BatchNormParams {
  scale: ExportParam;
  bias: ExportParam;
  mean: ExportParam;
  variance: ExportParam;
  /** The BN module's path in the PyTorch module, for its `num_batches_tracked` buffer. */
  torchModule: string;
}

/** [top, left, bottom, right]: ONNX orders them [top, left, bottom, right] as begins then ends. */
export type Pads = [number, number, number, number];

export type ExportOp =
  | { op: 'conv'; id: string; input: string; output: string; kernel: number; stride: number; pads: Pads; inChannels: number; outChannels: number; weight: ExportParam; bias: ExportParam | null }
  | { op: 'batchNorm'; id: string; input: string; output: string; channels: number; params: BatchNormParams }
  | { op: 'relu'; id: string; input: string; output: string }
  | { op: 'add'; id: string; inputs: [string, string]; output: string }
  | { op: 'padChannels'; id: string; input: string; output: string; extra: number }
  | { op: 'pool'; id: string; input: string; output: string; pool: 'max' | 'avg'; kernel: [number, number]; stride: number }
  | { op: 'globalAveragePool'; id: string; input: string; output: string }
  | { op: 'dense'; id: string; input: string; output: string; inFeatures: number; outFeatures: number; relu: boolean; weight: ExportParam; bias: ExportParam }
  | { op: 'softmax'; id: string; input: string; output: string };

/** One conv layer of the graph as a module: its width, geometry and TF.js layer. */
export interface ExportConv {
  id: string;
  width: number;
  kernel: number;
  stride: number;
}

export type ExportItem =
  | { kind: 'conv'; key: string; conv: ExportConv }
  | { kind: 'pool'; key: string; id: string; pool: 'max' | 'avg'; size: number; stride: number }
  | { kind: 'block'; key: string; id: string; convs: ExportConv[]; shortcutStride: number };

export interface ExportStage {
  /** Attribute name in the PyTorch module: `stage0`, `stage1`, ... */
  key: string;
  /** Spatial size entering the stage, for the generated code's comments. */
  inShape: Shape;
  items: ExportItem[];
}

export interface ExportGraph {
  arch: Architecture;
  style: BlockStyle;
  /** [channels, height, width] of one input image. */
  inputShape: [number, number, number];
  numClasses: number;
  /** In network order; every op's inputs are the network input or earlier ops' outputs. */
  ops: ExportOp[];
  /** Name of the network input and of the softmax output. */
  input: string;
  output: string;
  /** Name of the classifier's logits (the softmax's input). */
  logits: string;
  stages: ExportStage[];
  /** Hidden dense layers after the global average pooling. */
  hidden: { id: string; units: number }[];
  /** Every weight, in network order. */
  params: ExportParam[];
}

export const EXPORT_INPUT_NAME = 'input';
export const EXPORT_OUTPUT_NAME = 'probabilities';
export const EXPORT_LOGITS_NAME = 'logits';

/**
 * TF's 'same' padding for one axis: the output is ceil(size / stride), and of the padding that
 * needs, the smaller half goes before and the larger after.
 */
export function samePadding(size: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** A graph id as a Python identifier part (PyTorch module names cannot hold "."). */
export function pythonKey(id: string): string {
  const key = id.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(key) ? `_${key}` : key;
}

function unsupported(layer: never): never {
  const kind = (layer as { kind?: unknown }).kind;
  const id = (layer as { id?: unknown }).id;
  throw new ArchitectureError(`Layer "${String(id)}" has the kind "${String(kind)}", which the exporter does not know; export needs conv, pool and dense layers only.`, typeof id === 'string' ? id : undefined);
}

class GraphWriter {
  readonly ops: ExportOp[] = [];
  readonly params: ExportParam[] = [];
  private readonly outputs = new Set<string>();

  /** Output names are the TF.js layer names, so the ONNX graph reads like the TF.js model. */
  name(graphId: string, role: LayerRole | 'head'): string {
    const name = role === 'head' ? graphId : tfLayerName(graphId, role);
    if (this.outputs.has(name)) throw new ArchitectureError(`Id "${graphId}" gives the name "${name}" twice; rename the layer or skip.`, graphId);
    this.outputs.add(name);
    return name;
  }

  param(tfLayer: string, tfParam: TfParam, torchName: string, tfShape: number[], perm: number[] | null = null): ExportParam {
    const shape = perm ? perm.map((axis) => tfShape[axis]) : [...tfShape];
    const param: ExportParam = { tfName: `${tfLayer}/${tfParam}`, torchName, tfShape, shape, perm, buffer: tfParam === 'moving_mean' || tfParam === 'moving_variance' };
    this.params.push(param);
    return param;
  }

  batchNorm(graphId: string, role: 'bn' | 'projbn', input: string, channels: number, torchModule: string): string {
    const layer = tfLayerName(graphId, role);
    const params: BatchNormParams = {
      scale: this.param(layer, 'gamma', `${torchModule}.weight`, [channels]),
      bias: this.param(layer, 'beta', `${torchModule}.bias`, [channels]),
      mean: this.param(layer, 'moving_mean', `${torchModule}.running_mean`, [channels]),
      variance: this.param(layer, 'moving_variance', `${torchModule}.running_var`, [channels]),
      torchModule,
    };
    const output = this.name(graphId, role);
    this.ops.push({ op: 'batchNorm', id: graphId, input, output, channels, params });
    return output;
  }

  conv(graphId: string, role: 'conv' | 'proj', input: string, inShape: Shape, outChannels: number, kernel: number, stride: number, same: boolean, withBias: boolean, torchModule: string): string {
    const layer = tfLayerName(graphId, role);
    const [top, bottom] = same ? samePadding(inShape[0], kernel, stride) : [0, 0];
    const [left, right] = same ? samePadding(inShape[1], kernel, stride) : [0, 0];
    const weight = this.param(layer, 'kernel', `${torchModule}.weight`, [kernel, kernel, inShape[2], outChannels], [3, 2, 0, 1]);
    const bias = withBias ? this.param(layer, 'bias', `${torchModule}.bias`, [outChannels]) : null;
    const output = this.name(graphId, role);
    this.ops.push({ op: 'conv', id: graphId, input, output, kernel, stride, pads: [top, left, bottom, right], inChannels: inShape[2], outChannels, weight, bias });
    return output;
  }

  relu(graphId: string, input: string): string {
    const output = this.name(graphId, 'relu');
    this.ops.push({ op: 'relu', id: graphId, input, output });
    return output;
  }

  dense(graphId: string, layerName: string, output: string, input: string, inFeatures: number, outFeatures: number, relu: boolean, torchModule: string): string {
    const weight = this.param(layerName, 'kernel', `${torchModule}.weight`, [inFeatures, outFeatures], [1, 0]);
    const bias = this.param(layerName, 'bias', `${torchModule}.bias`, [outFeatures]);
    this.ops.push({ op: 'dense', id: graphId, input, output, inFeatures, outFeatures, relu, weight, bias });
    return output;
  }
}

/** The module path of a conv layer's parts: `<prefix>.conv`, `<prefix>.bn`. */
function convLayerOps(w: GraphWriter, style: BlockStyle, layer: ConvLayer, input: string, inShape: Shape, relu: boolean, prefix: string): string {
  if (style === 'reference') {
    const normed = w.batchNorm(layer.id, 'bn', input, inShape[2], `${prefix}.bn`);
    const conv = w.conv(layer.id, 'conv', normed, inShape, layer.width, layer.kernel, layer.stride, true, true, `${prefix}.conv`);
    return w.relu(layer.id, conv);
  }
  const conv = w.conv(layer.id, 'conv', input, inShape, layer.width, layer.kernel, layer.stride, true, false, `${prefix}.conv`);
  const normed = w.batchNorm(layer.id, 'bn', conv, layer.width, `${prefix}.bn`);
  return relu ? w.relu(layer.id, normed) : normed;
}

function padChannels(w: GraphWriter, skipId: string, role: 'padmain' | 'padshortcut', input: string, extra: number): string {
  if (extra === 0) return input;
  const output = w.name(skipId, role);
  w.ops.push({ op: 'padChannels', id: skipId, input, output, extra });
  return output;
}

function shortcutOps(w: GraphWriter, style: BlockStyle, skip: ResolvedSkip, main: string, shortcut: string, prefix: string): string {
  const id = skip.skip.id;
  const { padMain, padShortcut, projection } = skip.adapter;
  const m = padChannels(w, id, 'padmain', main, padMain);
  let s = padChannels(w, id, 'padshortcut', shortcut, padShortcut);
  if (projection) {
    const [h, wd] = skip.shortcutShape;
    const torchConv = style === 'standard' ? `${prefix}.projection.0` : `${prefix}.projection`;
    // Stryker disable next-line BooleanLiteral: a 1×1 kernel needs no padding at any stride, so 'same' would pad nothing either
    s = w.conv(id, 'proj', s, [h, wd, projection.inChannels], projection.outChannels, 1, projection.stride, false, projection.withBias, torchConv);
    if (projection.withBatchNorm) s = w.batchNorm(id, 'projbn', s, projection.outChannels, `${prefix}.projection.1`);
  }
  const sum = w.name(id, 'add');
  w.ops.push({ op: 'add', id, inputs: [m, s], output: sum });
  return style === 'standard' ? w.relu(id, sum) : sum;
}

/** Describes the architecture for the exporters; throws ArchitectureError naming the layer at fault. */
export function exportGraph(arch: Architecture): ExportGraph {
  for (const layer of arch.layers as Layer[]) {
    if (layer.kind !== 'conv' && layer.kind !== 'pool' && layer.kind !== 'dense') unsupported(layer);
  }
  const resolved = resolveArchitecture(arch);
  const style = arch.blockStyle;
  const w = new GraphWriter();
  const skipStartingAt = new Map(resolved.skips.map((s) => [s.fromIndex, s]));
  const skipEndingAt = new Map(resolved.skips.map((s) => [s.toIndex, s]));
  const stageOf = new Map<string, number>();
  for (const stage of stagesOf(arch)) for (const id of stage.layerIds) stageOf.set(id, stage.index);

  const input = w.name(EXPORT_INPUT_NAME, 'head');
  const stages: ExportStage[] = [];
  const hidden: { id: string; units: number }[] = [];
  const keys = new Set<string>();
  const uniqueKey = (id: string): string => {
    let key = pythonKey(id);
    while (keys.has(key)) key = `${key}_`;
    keys.add(key);
    return key;
  };
  const shortcuts = new Map<string, string>();
  let x = input;
  let block: Extract<ExportItem, { kind: 'block' }> | null = null;
  // Stryker disable next-line StringLiteral: set whenever a block starts, before any layer of the block reads it
  let blockPrefix = '';
  let features = 0;
  for (const r of resolved.layers) {
    const { layer } = r;
    const starting = skipStartingAt.get(r.index);
    if (starting) shortcuts.set(starting.skip.id, x);
    const stageIndex = stageOf.get(layer.id);
    if (stageIndex !== undefined) {
      while (stages.length <= stageIndex) stages.push({ key: `stage${stages.length}`, inShape: r.inShape, items: [] });
    }
    const stage = stages[stages.length - 1] as ExportStage | undefined;
    switch (layer.kind) {
      case 'conv': {
        if (!stage) throw new ArchitectureError(`Layer "${layer.id}" is in no stage.`, layer.id);
        const conv: ExportConv = { id: layer.id, width: layer.width, kernel: layer.kernel, stride: layer.stride };
        if (starting) {
          block = { kind: 'block', key: uniqueKey(starting.skip.id), id: starting.skip.id, convs: [], shortcutStride: 1 };
          blockPrefix = `${stage.key}.${block.key}`;
          stage.items.push(block);
        }
        if (block && r.blockId === block.id) {
          const prefix = `${blockPrefix}.layers.${block.convs.length}`;
          block.convs.push(conv);
          x = convLayerOps(w, style, layer, x, r.inShape, !r.endsBlock, prefix);
        } else {
          const key = uniqueKey(layer.id);
          stage.items.push({ kind: 'conv', key, conv });
          x = convLayerOps(w, style, layer, x, r.inShape, true, `${stage.key}.${key}`);
        }
        break;
      }
      case 'pool': {
        if (!stage) throw new ArchitectureError(`Layer "${layer.id}" is in no stage.`, layer.id);
        const kernel: [number, number] = [Math.min(layer.size, r.inShape[0]), Math.min(layer.size, r.inShape[1])];
        const output = w.name(layer.id, 'pool');
        w.ops.push({ op: 'pool', id: layer.id, input: x, output, pool: layer.pool, kernel, stride: layer.stride });
        stage.items.push({ kind: 'pool', key: uniqueKey(layer.id), id: layer.id, pool: layer.pool, size: layer.size, stride: layer.stride });
        x = output;
        break;
      }
      case 'dense': {
        if (r.poolsGlobally) {
          const output = w.name(layer.id, 'gap');
          w.ops.push({ op: 'globalAveragePool', id: layer.id, input: x, output });
          x = output;
          features = r.inShape[2];
        }
        x = w.dense(layer.id, tfLayerName(layer.id, 'dense'), w.name(layer.id, 'dense'), x, features, layer.units, true, `head.hidden.${hidden.length}`);
        hidden.push({ id: layer.id, units: layer.units });
        features = layer.units;
        break;
      }
      default:
        unsupported(layer);
    }
    const ending = skipEndingAt.get(r.index);
    if (ending) {
      if (!block || block.id !== ending.skip.id) throw new ArchitectureError(`Skip "${ending.skip.id}" ends outside its own block.`, ending.skip.id);
      block.shortcutStride = ending.adapter.projection?.stride ?? 1;
      x = shortcutOps(w, style, ending, x, shortcuts.get(ending.skip.id)!, blockPrefix);
      block = null;
    }
  }
  if (hidden.length === 0) {
    const output = w.name(CLASSIFIER_NAME, 'gap');
    w.ops.push({ op: 'globalAveragePool', id: CLASSIFIER_NAME, input: x, output });
    x = output;
    features = resolved.headInShape[2];
  }
  const logits = w.dense(CLASSIFIER_NAME, CLASSIFIER_NAME, w.name(EXPORT_LOGITS_NAME, 'head'), x, features, arch.numClasses, false, 'head.classifier');
  w.ops.push({ op: 'softmax', id: CLASSIFIER_NAME, input: logits, output: EXPORT_OUTPUT_NAME });
  return {
    arch,
    style,
    inputShape: [arch.input.channels, arch.input.height, arch.input.width],
    numClasses: arch.numClasses,
    ops: w.ops,
    input,
    output: EXPORT_OUTPUT_NAME,
    logits,
    stages,
    hidden,
    params: w.params,
  };
}
