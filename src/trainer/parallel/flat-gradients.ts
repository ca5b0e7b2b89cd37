/**
 * The flat arrays of a worker's step (worker.ts): where each variable's gradient lies, the
 * buffers the step reuses, and the L1/L2 gradient added after the sum over the workers.
 */
import type * as tf from '@tensorflow/tfjs';
import { backingVariable } from '../model/variables';
import { flatLength, type FlatSegment } from '../train/flat-optimizer';

/** The flattened gradients, their sum over the workers, and that sum with the L1/L2 terms in float32. */
export interface GradientBuffers {
  flat: Float64Array;
  summed: Float64Array;
  single: Float32Array;
}

/**
 * Allocated once a phase: fresh arrays every step (megabytes for ResNet-20) had the garbage
 * collector run a full collection about once a step on every worker.
 */
export function gradientBuffers(length: number): GradientBuffers {
  return { flat: new Float64Array(length), summed: new Float64Array(length), single: new Float32Array(length) };
}

/** The segments of the given layer variables (matched through the tf.Variable they hold). */
export function segmentsFor(kernels: readonly tf.LayerVariable[], variables: readonly tf.Variable[], segments: readonly FlatSegment[]): FlatSegment[] {
  return kernels.map((kernel) => {
    const index = variables.indexOf(backingVariable(kernel));
    if (index < 0) throw new Error(`the penalised kernel ${kernel.name} is not among the model's trainable weights`);
    return segments[index];
  });
}

/** The variables' values in one flat array, laid out as `segments`. */
export function readValues(variables: readonly tf.Variable[], segments: readonly FlatSegment[]): Float32Array {
  const params = new Float32Array(flatLength(segments));
  variables.forEach((v, i) => params.set(v.dataSync() as Float32Array, segments[i].offset));
  return params;
}

/**
 * The gradient of l1·Σ|w| + l2·Σw² (docs/algorithm.md, "The loss") added to `grads`: l1·step(w) + 2·l2·w, where step is
 * TF.js's gradient of |w| (+1 above zero, −1 at and below it), so it matches the tape's.
 */
export function addPenaltyGradients(grads: Float64Array, params: Float32Array, l1: readonly FlatSegment[], l2: readonly FlatSegment[], strengths: { l1: number; l2: number }): void {
  const l1Strength = strengths.l1;
  const twiceL2 = 2 * strengths.l2;
  if (l1Strength > 0) {
    for (const { offset, size } of l1) {
      const end = offset + size;
      // Branch-free: the signs of trained weights are a coin toss, which a branch mispredicts (3× slower).
      for (let i = offset; i < end; i++) grads[i] += l1Strength * (+(params[i] > 0) * 2 - 1);
    }
  }
  if (twiceL2 > 0) {
    for (const { offset, size } of l2) {
      const end = offset + size;
      for (let i = offset; i < end; i++) grads[i] += twiceL2 * params[i];
    }
  }
}
