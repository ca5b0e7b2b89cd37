/**
 * Batches for training and evaluation. Images stay uint8 in memory; each batch is augmented and
 * normalised in JS into a fresh Float32Array and only then becomes a tensor, so the float copy
 * of the data never exists for more than one batch at a time.
 *
 * Determinism and resume: the shuffle order of an epoch is drawn from the shuffle Rng when the
 * epoch starts, and every training image draws its transform from the augmentation Rng when its
 * batch is built. A run can therefore resume either from the two Rngs' states saved at an epoch
 * boundary (construct a new TrainingBatches with restored Rngs), or from getState() anywhere
 * inside an epoch.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng';
import { drawTransform, IDENTITY_TRANSFORM, normalizationTable, writeImage, type AugmentationSettings, type ImageTransform } from './augment';
import type { ImageSet, Normalization } from './types';

/** A batch on the host: NHWC normalised floats and one-hot labels. */
export interface HostBatch {
  x: Float32Array;
  y: Float32Array;
  /** Images in this batch (the last batch of an epoch may be short). */
  count: number;
  /** [count, height, width, channels] */
  shape: [number, number, number, number];
  numClasses: number;
}

export interface Batch {
  x: tf.Tensor4D;
  y: tf.Tensor2D;
  count: number;
}

export interface BatchOptions {
  batchSize: number;
  numClasses: number;
  normalization: Normalization;
}

export interface TrainingBatchOptions extends BatchOptions {
  augmentation: AugmentationSettings;
  /** Draws each epoch's order. */
  shuffleRng: Rng;
  /** Draws each image's shift and flip. */
  augmentRng: Rng;
}

/** Where a TrainingBatches stands, for a checkpoint. */
export interface TrainingBatchesState {
  /** The shuffle Rng's state before the current epoch's order was drawn. */
  shuffle: number[];
  augmentation: number[];
  /** Images of the current epoch already handed out; null before the first epoch starts. */
  cursor: number | null;
}

/** Batches in an epoch of n images (the last one may be short). */
export function stepsPerEpoch(n: number, batchSize: number): number {
  checkBatchSize(batchSize);
  return Math.ceil(n / batchSize);
}

/** Turns a host batch into tensors; the caller disposes them. */
export function toTensors(batch: HostBatch): Batch {
  return {
    x: tf.tensor4d(batch.x, batch.shape, 'float32'),
    y: tf.tensor2d(batch.y, [batch.count, batch.numClasses], 'float32'),
    count: batch.count,
  };
}

/** Fills a host batch with the given images, each with its transform (identity when absent). */
export function buildBatch(
  set: ImageSet,
  indices: ArrayLike<number>,
  numClasses: number,
  table: Float32Array,
  transforms?: (position: number, index: number) => ImageTransform,
): HostBatch {
  const count = indices.length;
  const size = set.height * set.width * set.channels;
  const x = new Float32Array(count * size);
  const y = new Float32Array(count * numClasses);
  for (let i = 0; i < count; i++) {
    const index = indices[i];
    const label = set.labels[index];
    if (label >= numClasses) throw new RangeError(`image ${index} has label ${label}, but the dataset has ${numClasses} classes`);
    y[i * numClasses + label] = 1;
    writeImage(set, index, transforms ? transforms(i, index) : IDENTITY_TRANSFORM, table, x, i * size);
  }
  return { x, y, count, shape: [count, set.height, set.width, set.channels], numClasses };
}

/** Shuffled, augmented training batches, epoch after epoch. */
export class TrainingBatches {
  readonly stepsPerEpoch: number;
  private readonly table: Float32Array;
  private order: Uint32Array | null = null;
  private cursor = 0;
  private epochStartShuffle: number[];

  constructor(
    private readonly set: ImageSet,
    private readonly options: TrainingBatchOptions,
  ) {
    if (set.count === 0) throw new RangeError('the training set is empty');
    this.stepsPerEpoch = stepsPerEpoch(set.count, options.batchSize);
    this.table = normalizationTable(options.normalization, set.channels);
    this.epochStartShuffle = options.shuffleRng.getState();
  }

  /** Batches left in the current epoch (all of the next one when none is under way). */
  get batchesLeft(): number {
    return this.order === null || this.cursor >= this.set.count ? this.stepsPerEpoch : Math.ceil((this.set.count - this.cursor) / this.options.batchSize);
  }

  /**
   * The rest of the current epoch, or a new epoch when the last one is complete. Stopping early
   * (return from the loop) leaves the position after the last batch taken.
   */
  *epoch(): Generator<Batch, void, undefined> {
    for (const host of this.hostEpoch()) yield toTensors(host);
  }

  /** As epoch(), as host arrays (e.g. to hand to worker threads). */
  *hostEpoch(): Generator<HostBatch, void, undefined> {
    if (this.order === null || this.cursor >= this.set.count) this.startEpoch();
    const order = this.order as Uint32Array;
    const { batchSize, numClasses, augmentation, augmentRng } = this.options;
    while (this.cursor < this.set.count) {
      const indices = order.subarray(this.cursor, Math.min(this.cursor + batchSize, this.set.count));
      const batch = buildBatch(this.set, indices, numClasses, this.table, () => drawTransform(augmentRng, augmentation, this.set.height, this.set.width));
      this.cursor += indices.length;
      yield batch;
    }
  }

  getState(): TrainingBatchesState {
    return {
      shuffle: this.order === null ? this.options.shuffleRng.getState() : [...this.epochStartShuffle],
      augmentation: this.options.augmentRng.getState(),
      cursor: this.order === null ? null : this.cursor,
    };
  }

  /** Continues from a getState() taken from a TrainingBatches over the same set and options. */
  setState(state: TrainingBatchesState): void {
    this.options.shuffleRng.setState(state.shuffle);
    this.options.augmentRng.setState(state.augmentation);
    if (state.cursor === null) {
      this.order = null;
      this.cursor = 0;
      this.epochStartShuffle = this.options.shuffleRng.getState();
      return;
    }
    if (!Number.isInteger(state.cursor) || state.cursor < 0 || state.cursor > this.set.count) {
      throw new RangeError(`batch state cursor ${state.cursor} is outside the training set of ${this.set.count} images`);
    }
    // Redrawing the order from the saved start state also leaves the shuffle Rng where it was.
    this.startEpoch();
    this.cursor = state.cursor;
  }

  private startEpoch(): void {
    this.epochStartShuffle = this.options.shuffleRng.getState();
    this.order = this.options.shuffleRng.permutation(this.set.count);
    this.cursor = 0;
  }
}

/** Evaluation batches: every image once, in order, no augmentation. */
export function* evaluationBatches(set: ImageSet, options: BatchOptions): Generator<Batch, void, undefined> {
  for (const host of hostEvaluationBatches(set, options)) yield toTensors(host);
}

export function* hostEvaluationBatches(set: ImageSet, options: BatchOptions): Generator<HostBatch, void, undefined> {
  checkBatchSize(options.batchSize);
  const table = normalizationTable(options.normalization, set.channels);
  for (let start = 0; start < set.count; start += options.batchSize) {
    const end = Math.min(start + options.batchSize, set.count);
    const indices = new Uint32Array(end - start);
    for (let i = 0; i < indices.length; i++) indices[i] = start + i;
    yield buildBatch(set, indices, options.numClasses, table);
  }
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
}
