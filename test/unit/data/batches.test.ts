import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../src/core/rng';
import { evaluationBatches, hostEvaluationBatches, stepsPerEpoch, TrainingBatches, type HostBatch, type TrainingBatchOptions } from '../../../src/trainer/data/batches';
import { identityNormalization } from '../../../src/trainer/data/normalization';
import type { ImageSet } from '../../../src/trainer/data/types';
import { imageSet, syntheticImages } from './fixtures';

/** n constant 2×2 images: image i is filled with 10·i, label i mod 3. */
function constantSet(n: number): ImageSet {
  const images = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) images.fill(10 * i, i * 4, i * 4 + 4);
  return imageSet(images, Array.from({ length: n }, (_, i) => i % 3), 2, 2, 1);
}

function options(seed: number, overrides: Partial<TrainingBatchOptions> = {}): TrainingBatchOptions {
  return {
    batchSize: 4,
    numClasses: 3,
    normalization: identityNormalization(1),
    augmentation: { shift: 0.25, flip: true },
    shuffleRng: new Rng(seed, 'shuffle'),
    augmentRng: new Rng(seed, 'augmentation'),
    ...overrides,
  };
}

/** Which images a batch of constantSet holds, from the pixel values. */
function imageIds(batch: HostBatch): number[] {
  const size = batch.shape[1] * batch.shape[2] * batch.shape[3];
  return Array.from({ length: batch.count }, (_, i) => batch.x[i * size] / 10);
}

function collect(source: TrainingBatches, epochs: number): number[][] {
  const out: number[][] = [];
  for (let e = 0; e < epochs; e++) for (const b of source.hostEpoch()) out.push(Array.from(b.x));
  return out;
}

describe('batches', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('counts steps per epoch with a short last batch', () => {
    assert.equal(stepsPerEpoch(10, 4), 3);
    assert.equal(stepsPerEpoch(8, 4), 2);
    assert.equal(stepsPerEpoch(0, 4), 0);
    assert.throws(() => stepsPerEpoch(10, 0), /batch size/);
  });

  it('hands out every training image once per epoch, shuffled, with one-hot labels', () => {
    const set = constantSet(10);
    const source = new TrainingBatches(set, options(1));
    assert.equal(source.stepsPerEpoch, 3);
    const orders: number[][] = [];
    for (let e = 0; e < 3; e++) {
      const batches = [...source.hostEpoch()];
      assert.deepEqual(batches.map((b) => b.count), [4, 4, 2]);
      const ids = batches.flatMap(imageIds);
      assert.deepEqual([...ids].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      orders.push(ids);
      for (const b of batches) {
        imageIds(b).forEach((id, i) => {
          assert.deepEqual(Array.from(b.y.subarray(i * 3, i * 3 + 3)), [0, 1, 2].map((k) => (k === id % 3 ? 1 : 0)));
        });
      }
    }
    assert.ok(orders.some((o) => o.join() !== '0,1,2,3,4,5,6,7,8,9'), 'epochs are shuffled');
    assert.notDeepEqual(orders[0], orders[1]);
  });

  it('yields float32 NHWC tensors of the normalised values and leaks no tensors', () => {
    const set = constantSet(10);
    const before = tf.memory().numTensors;
    const source = new TrainingBatches(set, options(2, { normalization: { mean: [5], std: [2] } }));
    for (const batch of source.epoch()) {
      assert.deepEqual(batch.x.shape, [batch.count, 2, 2, 1]);
      assert.deepEqual(batch.y.shape, [batch.count, 3]);
      assert.equal(batch.x.dtype, 'float32');
      const x = batch.x.dataSync();
      const y = batch.y.dataSync();
      for (let i = 0; i < batch.count; i++) {
        const id = (x[i * 4] * 2 + 5) / 10;
        assert.ok(Number.isInteger(id), `value ${x[i * 4]} is (10·id − 5) / 2`);
        assert.equal(y[i * 3 + (id % 3)], 1);
      }
      tf.dispose([batch.x, batch.y]);
    }
    for (const batch of evaluationBatches(set, { batchSize: 3, numClasses: 3, normalization: identityNormalization(1) })) tf.dispose([batch.x, batch.y]);
    assert.equal(tf.memory().numTensors, before);
  });

  it('evaluates every image in order, without augmentation', () => {
    const images = syntheticImages(5, 4, 4, 3);
    const set = imageSet(images, [0, 1, 2, 0, 1], 4, 4, 3);
    const batches = [...hostEvaluationBatches(set, { batchSize: 2, numClasses: 3, normalization: { mean: [1, 2, 3], std: [2, 2, 2] } })];
    assert.deepEqual(batches.map((b) => b.count), [2, 2, 1]);
    const x = batches.flatMap((b) => Array.from(b.x));
    assert.deepEqual(x, Array.from(images, (v, i) => Math.fround((v - [1, 2, 3][i % 3]) / 2)));
    assert.deepEqual(batches.flatMap((b) => Array.from(b.y)), [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0]);
  });

  it('augments training images (shifted or flipped copies of the originals)', () => {
    const set = imageSet(syntheticImages(6, 4, 4, 1), [0, 1, 2, 0, 1, 2], 4, 4, 1);
    const source = new TrainingBatches(set, options(3, { batchSize: 6 }));
    let changed = 0;
    for (let e = 0; e < 5; e++) {
      for (const b of source.hostEpoch()) {
        for (let i = 0; i < b.count; i++) {
          const got = Array.from(b.x.subarray(i * 16, i * 16 + 16));
          // Find which image this is from its label and a pixel multiset check.
          const candidates = [0, 1, 2, 3, 4, 5].filter((n) => b.y[i * 3 + set.labels[n]] === 1);
          const original = (n: number): number[] => Array.from(set.images.subarray(n * 16, n * 16 + 16));
          assert.ok(candidates.some((n) => got.every((v) => original(n).includes(v))), 'every value comes from the source image');
          if (!candidates.some((n) => original(n).join() === got.join())) changed++;
        }
      }
    }
    assert.ok(changed > 0, 'some images were transformed');
  });

  it('is deterministic for a seed and differs for another seed', () => {
    const set = imageSet(syntheticImages(9, 4, 4, 1), [0, 1, 2, 0, 1, 2, 0, 1, 2], 4, 4, 1);
    const a = collect(new TrainingBatches(set, options(7)), 3);
    const b = collect(new TrainingBatches(set, options(7)), 3);
    const c = collect(new TrainingBatches(set, options(8)), 3);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('resumes inside an epoch from getState() exactly as if never interrupted', () => {
    const set = imageSet(syntheticImages(11, 4, 4, 1), Array.from({ length: 11 }, (_, i) => i % 3), 4, 4, 1);
    const reference = collect(new TrainingBatches(set, options(5)), 3);

    const first = new TrainingBatches(set, options(5));
    const taken: number[][] = [];
    for (const b of first.hostEpoch()) {
      taken.push(Array.from(b.x));
      if (taken.length === 2) break; // stop after two of three batches
    }
    const state = JSON.parse(JSON.stringify(first.getState())) as ReturnType<TrainingBatches['getState']>;
    assert.equal(state.cursor, 8);
    assert.equal(first.batchesLeft, 1);

    const resumed = new TrainingBatches(set, options(999));
    resumed.setState(state);
    const rest = collect(resumed, 3);
    assert.deepEqual([...taken, ...rest.slice(0, reference.length - 2)], reference);
  });

  it('resumes at an epoch boundary from the two Rng states alone', () => {
    const set = imageSet(syntheticImages(7, 4, 4, 1), Array.from({ length: 7 }, (_, i) => i % 3), 4, 4, 1);
    const reference = collect(new TrainingBatches(set, options(4)), 2);
    const opts = options(4);
    const first = new TrainingBatches(set, opts);
    const epoch1 = collect(first, 1);
    const shuffle = opts.shuffleRng.getState();
    const augmentation = opts.augmentRng.getState();
    const restored = options(0);
    restored.shuffleRng.setState(shuffle);
    restored.augmentRng.setState(augmentation);
    assert.deepEqual([...epoch1, ...collect(new TrainingBatches(set, restored), 1)], reference);
  });

  it('rejects labels outside the class count', () => {
    const set = imageSet(new Uint8Array(8), [0, 5], 2, 2, 1);
    assert.throws(() => [...hostEvaluationBatches(set, { batchSize: 2, numClasses: 3, normalization: identityNormalization(1) })], /label 5.*3 classes/);
  });
});
