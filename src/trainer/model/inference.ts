/**
 * Inference with each batch norm folded into the convolution before it (docs/benchmarks.md,
 * "Evaluation with folded batch norms").
 *
 * In inference mode a batch norm is a per-channel affine map, y = s·x + t with s = γ/√(v + ε)
 * and t = β − s·μ, so conv → BN → ReLU is one convolution with filter W·s, bias b·s + t and a
 * fused ReLU: one pass over the activations where `model.predict` makes three. At the end of a
 * residual block, conv → BN → sum with the shortcut → ReLU, the sum and the ReLU go into the
 * convolution too (folded-conv.ts). A search evaluates after every training phase, so this is
 * on its path.
 *
 * It reads the model as TF.js sees it (built-in class names, configs and weights), so it works
 * the same on a model the builder made and on one loaded from a saved checkpoint. Every layer
 * that is not part of a foldable conv → BN (→ ReLU) chain runs its own inference pass.
 */
import * as tf from '@tensorflow/tfjs';
import { foldedConv2d } from './folded-conv';

type Layer = tf.layers.Layer;

/** A convolution with its batch norm (and the ReLU after it) folded in. */
interface FoldedConv {
  /** The convolution's geometry, read from its config once rather than at every batch. */
  strides: [number, number];
  pad: 'same' | 'valid';
  dilations: [number, number];
  /** The layer whose output the folded convolution stands for: the BN, or the ReLU after it. */
  last: Layer;
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
  relu: boolean;
  /**
   * Set when the fold's only reader is a two-input sum (the end of a residual block): the
   * convolution then runs at the sum, with the sum's other input added inside it, and with the
   * ReLU after the sum when that ReLU alone reads it. `last` is then the sum or that ReLU.
   */
  residual?: { add: Layer; other: Layer };
}

export interface InferenceNet {
  /** The model's output for a batch, as `model.predict` gives it. */
  predict(x: tf.Tensor): tf.Tensor;
  /** How many conv → BN pairs were folded. */
  readonly foldedConvs: number;
  /** How many of them have the ReLU after the BN fused in. */
  readonly fusedRelus: number;
  /** How many residual sums (with the ReLU after them, where there is one) run inside a folded convolution. */
  readonly fusedResiduals: number;
  /** Frees the folded filters and biases. */
  dispose(): void;
}

function inputLayers(layer: Layer): Layer[] {
  // Stryker disable next-line OptionalChaining,ArrayDeclaration: every layer of a built model has its node; the fallback only guards the types.
  return layer.inboundNodes[0]?.inboundLayers ?? [];
}

function config(layer: Layer): Record<string, unknown> {
  return layer.getConfig() as Record<string, unknown>;
}

function isReluActivation(layer: Layer): boolean {
  return layer.getClassName() === 'Activation' && config(layer).activation === 'relu';
}

/** A Conv2D the fused convolution can stand for: channels-last, no activation of its own. */
function isFoldableConv(layer: Layer): boolean {
  const c = config(layer);
  return layer.getClassName() === 'Conv2D' && c.activation === 'linear' && (c.dataFormat ?? 'channelsLast') === 'channelsLast';
}

/**
 * A batch norm on the channel axis with γ, β and the moving statistics, in that order: four
 * weights, as a batch norm without β (center: false) or γ (scale: false) has three.
 */
function isFoldableBatchNorm(layer: Layer): boolean {
  const c = config(layer);
  const axis = Array.isArray(c.axis) ? c.axis : [c.axis];
  return layer.getClassName() === 'BatchNormalization' && axis.length === 1 && (axis[0] === -1 || axis[0] === 3) &&
    layer.weights.length === 4;
}

function foldConv(conv: Layer, bn: Layer, relu: Layer | null): FoldedConv {
  const epsilon = Number(config(bn).epsilon);
  const [gamma, beta, mean, variance] = bn.weights.map((w) => w.read() as tf.Tensor1D);
  const [kernel, convBias] = conv.weights.map((w) => w.read());
  const { filter, bias } = tf.tidy(() => {
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, epsilon)));
    const shift = tf.sub(beta, tf.mul(scale, mean));
    // The filter is HWIO: the scale runs along its last axis, the output channels.
    return {
      filter: tf.mul(kernel, scale) as tf.Tensor4D,
      bias: (convBias ? tf.add(tf.mul(convBias, scale), shift) : shift) as tf.Tensor1D,
    };
  });
  const c = config(conv);
  return {
    strides: c.strides as [number, number], pad: c.padding as 'same' | 'valid', dilations: c.dilationRate as [number, number],
    last: relu ?? bn, filter, bias, relu: relu !== null,
  };
}

/** The consumers of each layer's output within the model. */
function consumers(model: tf.LayersModel): Map<Layer, Layer[]> {
  const out = new Map<Layer, Layer[]>(model.layers.map((l) => [l, []]));
  for (const layer of model.layers) for (const from of inputLayers(layer)) out.get(from)?.push(layer);
  return out;
}

function runFolded(f: FoldedConv, x: tf.Tensor): tf.Tensor {
  return foldedConv2d({ x: x as tf.Tensor4D, filter: f.filter, bias: f.bias, strides: f.strides, pad: f.pad, dilations: f.dilations, relu: f.relu });
}

function runFoldedIntoSum(f: FoldedConv, x: tf.Tensor, residual: tf.Tensor, consumeResidual: boolean): tf.Tensor {
  return foldedConv2d({
    x: x as tf.Tensor4D, filter: f.filter, bias: f.bias, residual, strides: f.strides, pad: f.pad, dilations: f.dilations, relu: f.relu, consumeResidual,
  });
}

/**
 * The sum a fold's output goes into when that sum is its only reader and adds exactly one other
 * layer's output of the same shape, and the ReLU after the sum when that ReLU alone reads it.
 */
function residualSum(last: Layer, usedBy: Map<Layer, Layer[]>): { add: Layer; other: Layer; relu: Layer | null } | null {
  const readers = usedBy.get(last)!;
  if (readers.length !== 1 || readers[0].getClassName() !== 'Add') return null;
  const add = readers[0];
  const sources = inputLayers(add);
  const other = sources.find((l) => l !== last);
  if (sources.length !== 2 || !other || !tf.util.arraysEqual(other.outputShape as number[], last.outputShape as number[])) return null;
  const afterSum = usedBy.get(add)!;
  return { add, other, relu: afterSum.length === 1 && isReluActivation(afterSum[0]) ? afterSum[0] : null };
}

/** Whether the model is a graph this walk can run: one input, one output, each layer applied once. */
function isSingleGraph(model: tf.LayersModel): boolean {
  return model.inputs.length === 1 && model.outputs.length === 1 && model.layers.every((l) => l.inboundNodes.length <= 1);
}

/**
 * Folds the model's current weights; call again after the weights change (the folded copy does
 * not follow them). A model of another shape (several inputs or outputs, a layer applied twice)
 * is run by `model.predict` unchanged.
 */
export function foldForInference(model: tf.LayersModel): InferenceNet {
  if (!isSingleGraph(model)) {
    return { foldedConvs: 0, fusedRelus: 0, fusedResiduals: 0, predict: (x) => model.predict(x) as tf.Tensor, dispose: () => undefined };
  }
  const usedBy = consumers(model);
  const folds = new Map<Layer, FoldedConv>();
  const skipped = new Set<Layer>();
  for (const layer of model.layers) {
    const next = usedBy.get(layer)!;
    if (!isFoldableConv(layer) || next.length !== 1 || !isFoldableBatchNorm(next[0])) continue;
    const bn = next[0];
    const afterBn = usedBy.get(bn)!;
    const relu = afterBn.length === 1 && isReluActivation(afterBn[0]) ? afterBn[0] : null;
    const folded = foldConv(layer, bn, relu);
    folds.set(layer, folded);
    skipped.add(bn);
    // Stryker disable next-line ConditionalExpression: adding null to the set changes nothing.
    if (relu) skipped.add(relu);
  }
  // Each sum a fold can take in, and the convolution that runs there.
  const atSum = new Map<Layer, Layer>();
  for (const [conv, fold] of folds) {
    const sum = fold.relu ? null : residualSum(fold.last, usedBy);
    if (!sum || atSum.has(sum.add)) continue;
    fold.residual = { add: sum.add, other: sum.other };
    fold.relu = sum.relu !== null;
    fold.last = sum.relu ?? sum.add;
    atSum.set(sum.add, conv);
    skipped.add(sum.add);
    if (sum.relu) skipped.add(sum.relu);
  }
  const inputLayer = model.inputs[0].sourceLayer;
  const outputLayer = model.outputs[0].sourceLayer;
  const remainingUses = new Map([...usedBy].map(([l, c]) => [l, c.length]));

  return {
    foldedConvs: folds.size,
    fusedRelus: [...folds.values()].filter((f) => f.relu && !f.residual).length,
    fusedResiduals: atSum.size,
    predict(x: tf.Tensor): tf.Tensor {
      const values = new Map<Layer, tf.Tensor>();
      const uses = new Map(remainingUses);
      // An intermediate is freed once its last consumer has run; the caller's input is not ours.
      const release = (layer: Layer): void => {
        const left = (uses.get(layer) ?? 0) - 1;
        uses.set(layer, left);
        const value = values.get(layer);
        if (left <= 0 && value && value !== x) {
          value.dispose();
          values.delete(layer);
        }
      };
      // A Sequential model's layers leave out its input layer, so the input is placed by the
      // model's input tensor rather than found among the layers.
      values.set(inputLayer, x);
      for (const layer of model.layers) {
        const sources = inputLayers(layer);
        const convAtSum = atSum.get(layer);
        if (convAtSum) {
          const fold = folds.get(convAtSum)!;
          const from = inputLayers(convAtSum)[0];
          const residual = values.get(fold.residual!.other)!;
          // The shortcut may be overwritten when this sum is its last reader (and it is not the caller's input).
          const lastUse = uses.get(fold.residual!.other) === 1 && residual !== x;
          const y = runFoldedIntoSum(fold, values.get(from)!, residual, lastUse);
          release(from);
          release(fold.residual!.other);
          values.set(fold.last, y);
          continue;
        }
        if (skipped.has(layer) || sources.length === 0 || folds.get(layer)?.residual) continue;
        const inputs = sources.map((s) => values.get(s)!);
        const fold = folds.get(layer);
        const y = fold
          ? runFolded(fold, inputs[0])
          : tf.tidy(() => layer.apply(inputs.length === 1 ? inputs[0] : inputs, { training: false }) as tf.Tensor);
        for (const s of sources) release(s);
        values.set(valueOwner(layer, folds), y);
      }
      const output = values.get(outputLayer)!;
      // Stryker disable next-line ConditionalExpression: only a model whose output is its input reaches the clone, which keeps the caller's tensor the caller's.
      return output === x ? x.clone() : output;
    },
    dispose(): void {
      for (const f of folds.values()) tf.dispose([f.filter, f.bias]);
      folds.clear();
    },
  };
}

/** The layer whose value a layer's result stands for: the end of its fold, or itself. */
function valueOwner(layer: Layer, folds: Map<Layer, FoldedConv>): Layer {
  return folds.get(layer)?.last ?? layer;
}
