/**
 * Synchronised batch normalisation over the replicas of a data-parallel step: the BN statistics
 * reducer (see model/fused-batch-norm.ts) backed by a shared-memory all-reduce.
 *
 * Moments are combined from each replica's count, mean and variance (the parallel form of the
 * variance: Σ nᵢ(vᵢ + mᵢ²) − M·μ², in float64), one all-reduce per BN layer, which stays as
 * accurate as TF.js's two-pass moments on the whole batch in float32.
 */
import * as tf from '@tensorflow/tfjs';
import type { BatchStatisticsReducer } from '../model/fused-batch-norm';

/** Sums equal-length vectors over the replicas (every replica calls it in the same order). */
export type ReplicaSum = (values: Float64Array) => Float64Array;

/** Per-channel (n·mean, n·variance, n·mean²) of one replica, followed by its count n. */
export function packMoments(count: number, mean: ArrayLike<number>, variance: ArrayLike<number>): Float64Array {
  const channels = mean.length;
  const packed = new Float64Array(3 * channels + 1);
  for (let c = 0; c < channels; c++) {
    packed[c] = count * mean[c];
    packed[channels + c] = count * variance[c];
    packed[2 * channels + c] = count * mean[c] * mean[c];
  }
  packed[3 * channels] = count;
  return packed;
}

/** The whole batch's count, mean and (biased) variance from the sum of every replica's packMoments. */
export function unpackMoments(summed: Float64Array): { count: number; mean: Float32Array; variance: Float32Array } {
  const channels = (summed.length - 1) / 3;
  const count = summed[3 * channels];
  const mean = new Float32Array(channels);
  const variance = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const mu = summed[c] / count;
    mean[c] = mu;
    variance[c] = Math.max(0, (summed[channels + c] + summed[2 * channels + c] - count * mu * mu) / count);
  }
  return { count, mean, variance };
}

/**
 * The reducer for one replica. `placeholder()` says whether this replica's current input is a
 * stand-in for an empty share of the batch (a batch smaller than the number of replicas): it
 * then counts as zero values, so it changes no statistic and passes no gradient back, while
 * still taking part in every collective the others make.
 */
export function syncBatchStatistics(sum: ReplicaSum, placeholder: () => boolean): BatchStatisticsReducer {
  return {
    moments(count, mean, variance) {
      const local = packMoments(placeholder() ? 0 : count, mean.dataSync(), variance.dataSync());
      const whole = unpackMoments(sum(local));
      return { count: whole.count, mean: tf.tensor1d(whole.mean), variance: tf.tensor1d(whole.variance) };
    },
    sums(values) {
      const arrays = values.map((v) => v.dataSync());
      const packed = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
      let offset = 0;
      for (const a of arrays) {
        packed.set(a, offset);
        offset += a.length;
      }
      const summed = sum(packed);
      // A stand-in takes part in the collective but must pass no gradient on: with its dy = 0
      // and zero sums, its dx = γ/σ·(dy − Σdy/M − x̂·Σdy·x̂/M) is 0 too.
      if (placeholder()) summed.fill(0);
      offset = 0;
      return arrays.map((a) => {
        const part = tf.tensor1d(Float32Array.from(summed.subarray(offset, offset + a.length)));
        offset += a.length;
        return part;
      });
    },
  };
}
