/** Which per-channel (value − mean) / std the batches apply (docs/algorithm.md, "Data and augmentation"). */
import type { DatasetConfig, DatasetSource } from '../../core/config/types';
import type { ImageSet, Normalization } from './types';

/** CIFAR-10's fixed statistics from the reference code. */
export const CIFAR10_NORMALIZATION: Normalization = {
  mean: [125.307, 122.95, 113.865],
  std: [62.9932, 62.0887, 66.7048],
};

const MNIST_FAMILY: readonly DatasetSource[] = ['mnist', 'fashion-mnist', 'idx'];

/** Raw 0–255 values (mean 0, std 1). */
export function identityNormalization(channels: number): Normalization {
  return { mean: new Array<number>(channels).fill(0), std: new Array<number>(channels).fill(1) };
}

/**
 * Population mean and std per channel, from a 256-bin histogram per channel (exact, one pass,
 * no float copy of the images). A channel with std 0 gets std 1 so that it maps to zeros
 * instead of NaN.
 */
export function channelStatistics(set: ImageSet): Normalization {
  const c = set.channels;
  const hist = new Float64Array(256 * c);
  const values = set.count * set.height * set.width * c;
  for (let i = 0; i < values; i++) hist[(i % c) * 256 + set.images[i]]++;
  const mean: number[] = [];
  const std: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    let n = 0;
    let sum = 0;
    for (let v = 0; v < 256; v++) {
      n += hist[ch * 256 + v];
      sum += v * hist[ch * 256 + v];
    }
    const m = n > 0 ? sum / n : 0;
    let sq = 0;
    for (let v = 0; v < 256; v++) sq += (v - m) * (v - m) * hist[ch * 256 + v];
    const s = n > 0 ? Math.sqrt(sq / n) : 0;
    mean.push(m);
    std.push(s > 0 ? s : 1);
  }
  return { mean, std };
}

/** The normalisation a config asks for, given the (final) training split. */
export function resolveNormalization(choice: DatasetConfig['normalization'], source: DatasetSource, train: ImageSet): Normalization {
  switch (choice) {
    case 'none':
      return identityNormalization(train.channels);
    case 'per-channel':
      return channelStatistics(train);
    case 'cifar10':
      if (train.channels !== 3) {
        throw new RangeError(`dataset.normalization: 'cifar10' needs 3-channel images, but this dataset has ${train.channels}; use 'per-channel' or 'none'`);
      }
      return { mean: [...CIFAR10_NORMALIZATION.mean], std: [...CIFAR10_NORMALIZATION.std] };
    case 'auto':
      if (source === 'cifar10') return resolveNormalization('cifar10', source, train);
      if (MNIST_FAMILY.includes(source)) return identityNormalization(train.channels);
      return channelStatistics(train);
  }
}
