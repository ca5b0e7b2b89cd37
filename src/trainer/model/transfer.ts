/**
 * Carries weights from one model to its rebuilt successor (docs/algorithm.md, "Which weights carry over"): after an insertion or a
 * deletion every surviving layer keeps its weights, matched by TF.js layer name (which derives
 * from the graph id) and weight name, when the shapes agree. BN moving statistics travel too.
 *
 * After a resize the shapes differ. With `overlap`, a weight of the same rank then keeps the old
 * values where both shapes have them: the first channels along every axis, the rest freshly
 * initialised. Taking the first channels everywhere keeps a conv's input channels aligned with
 * its producer's output channels, and with zero-padded shortcuts, which align channels by index.
 */
import * as tf from '@tensorflow/tfjs';

export interface TransferReport {
  /** Weight names (`<layer>/<weight>`) copied from the old model. */
  carried: string[];
  /** Weight names whose overlap with the old weight was copied (`overlap` only; shapes differ). */
  sliced: string[];
  /** Weight names of the new model that keep their fresh initialisation (new layer or new shape). */
  fresh: string[];
}

export interface TransferOptions {
  /** Copy the common leading block of weights whose shapes differ (same rank). Default false. */
  overlap?: boolean;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Row-major strides of a shape. */
function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1] * shape[i + 1];
  return out;
}

/**
 * Copies the leading block common to two row-major arrays of the same rank: every index that is
 * in range of both shapes. Exported for its test.
 */
export function copyOverlap(src: ArrayLike<number>, srcShape: readonly number[], dst: { [i: number]: number }, dstShape: readonly number[]): void {
  const rank = srcShape.length;
  if (dstShape.length !== rank) throw new RangeError(`copyOverlap: ranks differ (${rank} and ${dstShape.length}).`);
  const common = srcShape.map((d, i) => Math.min(d, dstShape[i]));
  if (common.some((d) => d === 0)) return;
  const srcStrides = strides(srcShape);
  const dstStrides = strides(dstShape);
  const inner = common[rank - 1];
  // Walk every index of the common block but the last axis, copying one contiguous run each.
  const index = new Array<number>(rank).fill(0);
  for (;;) {
    let s = 0;
    let d = 0;
    // Stryker disable next-line EqualityOperator: the last axis's index stays 0, so including it adds 0 to both offsets.
    for (let i = 0; i < rank - 1; i++) {
      s += index[i] * srcStrides[i];
      d += index[i] * dstStrides[i];
    }
    for (let j = 0; j < inner; j++) dst[d + j] = src[s + j];
    let axis = rank - 2;
    // Stryker disable next-line ConditionalExpression: at axis −1 the lookup gives NaN, which is never equal, so the loop ends there all the same.
    while (axis >= 0 && ++index[axis] === common[axis]) index[axis--] = 0;
    if (axis < 0) return;
  }
}

function overlapOf(old: tf.Tensor, fresh: tf.Tensor): tf.Tensor {
  // Stryker disable next-line MethodExpression: the fresh tensor is the value the caller replaces with the result, so writing into its data in place changes nothing.
  const values = fresh.dataSync().slice();
  copyOverlap(old.dataSync(), old.shape, values, fresh.shape);
  return tf.tensor(values, fresh.shape, fresh.dtype);
}

export function transferWeights(from: tf.LayersModel, to: tf.LayersModel, options: TransferOptions = {}): TransferReport {
  const source = new Map<string, tf.LayerVariable>();
  for (const layer of from.layers) for (const w of layer.weights) source.set(w.originalName, w);
  const report: TransferReport = { carried: [], sliced: [], fresh: [] };
  for (const layer of to.layers) {
    for (const w of layer.weights) {
      const old = source.get(w.originalName)?.read();
      const fresh = w.read();
      if (old && sameShape(old.shape, fresh.shape)) {
        // write() shares the old tensor's data; later updates of either model replace, not mutate, it.
        w.write(old);
        report.carried.push(w.originalName);
      } else if (old && options.overlap && old.rank === fresh.rank) {
        const values = overlapOf(old, fresh);
        w.write(values);
        values.dispose();
        report.sliced.push(w.originalName);
      } else {
        report.fresh.push(w.originalName);
      }
    }
  }
  return report;
}
