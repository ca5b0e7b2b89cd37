/**
 * The two passes of the closed-form batch-norm gradient (channel last, M values per channel,
 * x̂ = (x − mean)·invStd):
 *
 *   batchNormGradSums  → Σdy and Σdy·x̂ per channel (the gradients of β and γ)
 *   batchNormGradInput → dx = γ·invStd·(dy − Σdy/M − x̂·Σdy·x̂/M)
 *
 * Composed from TF.js ops this is about ten passes over activation-sized tensors; a backend
 * that registers the kernels below (the native one) does each in one pass. The two stay
 * separate because data-parallel training sums the per-channel values over replicas between
 * them, and then passes the whole batch's count.
 */
import * as tf from '@tensorflow/tfjs';
import { activeBackendHas } from './backend-kernel';

/** Kernel names a backend may implement; inputs and attributes as `batchMoments`/`batchNormGradSums`/`batchNormGradInput` pass them. */
export const BatchMoments = 'ResBuilderBatchMoments';
export const BatchNormGradSums = 'ResBuilderBatchNormGradSums';
export const BatchNormGradInput = 'ResBuilderBatchNormGradInput';

export interface BatchNormGradSumsResult {
  sumDy: tf.Tensor1D;
  sumDyXhat: tf.Tensor1D;
}

function check(op: string, dy: tf.Tensor, x: tf.Tensor, perChannel: Record<string, tf.Tensor>): number {
  if (x.rank < 1) throw new Error(`${op}: x must have a channel axis (got a scalar)`);
  if (!tf.util.arraysEqual(dy.shape, x.shape)) {
    throw new Error(`${op}: dy has shape [${dy.shape}] but x has [${x.shape}]; they must match`);
  }
  const channels = x.shape[x.rank - 1];
  for (const [name, t] of Object.entries({ dy, x, ...perChannel })) {
    if (t.dtype !== 'float32') throw new Error(`${op}: ${name} must be float32, got ${t.dtype}`);
  }
  for (const [name, t] of Object.entries(perChannel)) {
    if (t.rank !== 1 || t.shape[0] !== channels) {
      throw new Error(`${op}: ${name} has shape [${t.shape}] but must be [${channels}] (one value per channel of x's last axis)`);
    }
  }
  return channels;
}

function reducedAxes(x: tf.Tensor): number[] {
  return x.shape.slice(0, -1).map((_, i) => i);
}

/**
 * The batch statistics of a channel-last activation: per-channel mean and biased variance, as
 * `tf.moments` over every axis but the last. Not differentiable (the batch-norm gradient is in
 * closed form); a backend with the kernel reads x twice instead of tf.moments' four passes.
 */
export function batchMoments(x: tf.Tensor): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  if (x.rank < 1) throw new Error('batchMoments: x must have a channel axis (got a scalar)');
  if (activeBackendHas(BatchMoments) && x.dtype === 'float32' && x.size > 0) {
    const [mean, variance] = tf.engine().runKernel(BatchMoments, { x }) as tf.Tensor1D[];
    return { mean, variance };
  }
  return tf.moments(x, reducedAxes(x)) as { mean: tf.Tensor1D; variance: tf.Tensor1D };
}

/** Per-channel Σdy and Σdy·x̂ of a channel-last activation, x̂ = (x − mean)·invStd. */
export function batchNormGradSums(dy: tf.Tensor, x: tf.Tensor, mean: tf.Tensor1D, invStd: tf.Tensor1D): BatchNormGradSumsResult {
  check('batchNormGradSums', dy, x, { mean, invStd });
  if (activeBackendHas(BatchNormGradSums)) {
    const [sumDy, sumDyXhat] = tf.engine().runKernel(BatchNormGradSums, { dy, x, mean, invStd }) as tf.Tensor1D[];
    return { sumDy, sumDyXhat };
  }
  return tf.tidy(() => {
    const axes = reducedAxes(x);
    const xHat = tf.mul(tf.sub(x, mean), invStd);
    const sumDy = tf.sum(dy, axes) as tf.Tensor1D;
    const sumDyXhat = tf.sum(tf.mul(dy, xHat), axes) as tf.Tensor1D;
    return { sumDy, sumDyXhat };
  });
}

/**
 * dx = γ·invStd·(dy − sumDy/count − x̂·sumDyXhat/count) for a channel-last activation, where
 * `count` is the number of values per channel the sums were taken over (the whole batch's,
 * when replicas summed them).
 */
export function batchNormGradInput(dy: tf.Tensor, x: tf.Tensor, mean: tf.Tensor1D, invStd: tf.Tensor1D, gamma: tf.Tensor1D,
  sumDy: tf.Tensor1D, sumDyXhat: tf.Tensor1D, count: number): tf.Tensor {
  check('batchNormGradInput', dy, x, { mean, invStd, gamma, sumDy, sumDyXhat });
  if (!(Number.isFinite(count) && count > 0)) throw new Error(`batchNormGradInput: count must be a positive number, got ${count}`);
  if (activeBackendHas(BatchNormGradInput)) {
    return tf.engine().runKernel(BatchNormGradInput, { dy, x, mean, invStd, gamma, sumDy, sumDyXhat }, { count }) as tf.Tensor;
  }
  return tf.tidy(() => {
    const xHat = tf.mul(tf.sub(x, mean), invStd);
    const centred = tf.sub(dy, tf.div(sumDy, count));
    return tf.mul(tf.sub(centred, tf.mul(xHat, tf.div(sumDyXhat, count))), tf.mul(gamma, invStd));
  });
}
