/**
 * Datasets as the training loop sees them: images kept in memory as uint8 (CIFAR-10's 50,000
 * training images are 150 MB this way, 600 MB as float32) and turned into normalised float
 * batches one batch at a time.
 */
import type { DatasetInfo } from '../../protocol/events';

/** N images of height×width×channels, row-major NHWC, one byte per value (0–255). */
export interface ImageSet {
  images: Uint8Array;
  labels: Uint16Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

/** Per-channel (value - mean) / std, applied per batch. mean 0 / std 1 leaves raw 0–255 values (the MNIST family, docs/algorithm.md, "Data and augmentation"). */
export interface Normalization {
  mean: number[];
  std: number[];
}

export interface LoadedDataset {
  info: DatasetInfo;
  train: ImageSet;
  validation: ImageSet;
  test: ImageSet;
  normalization: Normalization;
}

/** A bad data file or folder: the message names the file and says what is wrong and how to fix it. */
export class DataError extends Error {
  constructor(
    message: string,
    /** The file or folder at fault. */
    readonly file: string,
    /** How to fix it (e.g. where to get the dataset). */
    readonly hint?: string,
  ) {
    super(message);
  }
}
