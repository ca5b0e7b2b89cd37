import * as assert from 'node:assert/strict';

import * as tf from '@tensorflow/tfjs';

import { batchMoments, batchNormGradInput, batchNormGradSums } from '../../../src/trainer/model/batch-norm-ops';
import { countAddonCalls, randomValues, relativeError, useNativeBackend } from '../native/helpers';

const TOLERANCE = 1e-4;

interface Case {
  shape: number[];
  dy: Float32Array;
  x: Float32Array;
  mean: Float32Array;
  invStd: Float32Array;
  gamma: Float32Array;
  count: number;
}

function makeCase(shape: number[], seed: number): Case {
  const size = tf.util.sizeFromShape(shape);
  const c = shape[shape.length - 1];
  const x = randomValues(size, seed).map((v, i) => 3 * v + (i % c) * 0.5);
  const mean = new Float32Array(c), variance = new Float32Array(c);
  const rows = size / c;
  for (let i = 0; i < size; i++) mean[i % c] += x[i] / rows;
  for (let i = 0; i < size; i++) variance[i % c] += (x[i] - mean[i % c]) ** 2 / rows;
  // Statistics a little off the batch's own: with exact ones and two values per channel, dx is
  // pure rounding noise (x̂ = ±1 cancels everything), which no relative bound can judge.
  const jitter = randomValues(c, seed + 3);
  return {
    shape,
    x,
    dy: randomValues(size, seed + 1),
    mean: mean.map((m, j) => m + 0.3 * jitter[j]),
    invStd: variance.map((v, j) => (1 + 0.2 * jitter[j]) / Math.sqrt(v + 1e-3)),
    gamma: randomValues(c, seed + 2).map((v) => v + 1.5),
    count: rows,
  };
}

/** The closed form in float64, element by element. */
function reference(k: Case): { sumDy: number[]; sumDyXhat: number[]; dx: number[] } {
  const c = k.mean.length;
  const sumDy = new Array<number>(c).fill(0), sumDyXhat = new Array<number>(c).fill(0);
  const xHat = (i: number) => (k.x[i] - k.mean[i % c]) * k.invStd[i % c];
  for (let i = 0; i < k.x.length; i++) {
    sumDy[i % c] += k.dy[i];
    sumDyXhat[i % c] += k.dy[i] * xHat(i);
  }
  const dx = Array.from(k.x, (_, i) => {
    const j = i % c;
    return k.gamma[j] * k.invStd[j] * (k.dy[i] - sumDy[j] / k.count - xHat(i) * sumDyXhat[j] / k.count);
  });
  return { sumDy, sumDyXhat, dx };
}

/** The same formula written with TF.js ops, as the batch-norm gradient composed it before. */
function composed(k: Case): { sumDy: Float32Array; sumDyXhat: Float32Array; dx: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor(k.x, k.shape), dy = tf.tensor(k.dy, k.shape);
    const axes = k.shape.slice(0, -1).map((_, i) => i);
    const xHat = tf.mul(tf.sub(x, k.mean), k.invStd);
    const sumDy = tf.sum(dy, axes), sumDyXhat = tf.sum(tf.mul(dy, xHat), axes);
    const dx = tf.mul(tf.sub(tf.sub(dy, tf.div(sumDy, k.count)), tf.mul(xHat, tf.div(sumDyXhat, k.count))),
      tf.mul(tf.tensor1d(k.gamma), tf.tensor1d(k.invStd)));
    return { sumDy: sumDy.dataSync() as Float32Array, sumDyXhat: sumDyXhat.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array };
  });
}

/** Runs both ops on plain arrays and returns their values; also checks the ops leave no tensors behind. */
function viaOps(k: Case, sums?: { sumDy: ArrayLike<number>; sumDyXhat: ArrayLike<number> }, count = k.count) {
  const before = tf.memory().numTensors;
  const result = tf.tidy(() => {
    const x = tf.tensor(k.x, k.shape), dy = tf.tensor(k.dy, k.shape);
    const mean = tf.tensor1d(k.mean), invStd = tf.tensor1d(k.invStd), gamma = tf.tensor1d(k.gamma);
    const own = batchNormGradSums(dy, x, mean, invStd);
    const sumDy = sums ? tf.tensor1d(Float32Array.from(sums.sumDy)) : own.sumDy;
    const sumDyXhat = sums ? tf.tensor1d(Float32Array.from(sums.sumDyXhat)) : own.sumDyXhat;
    const dx = batchNormGradInput(dy, x, mean, invStd, gamma, sumDy, sumDyXhat, count);
    assert.deepEqual(dx.shape, k.shape);
    assert.deepEqual(own.sumDy.shape, [k.mean.length]);
    return { sumDy: own.sumDy.dataSync() as Float32Array, sumDyXhat: own.sumDyXhat.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array };
  });
  assert.equal(tf.memory().numTensors, before, 'the ops leave no tensors behind');
  return result;
}

function expectClose(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  const err = relativeError(actual, expected);
  assert.ok(err <= TOLERANCE, `${label}: relative error ${err} > ${TOLERANCE}`);
}

const SHAPES = [[3, 7, 5, 9], [2, 1, 1, 4], [4, 9, 9, 16], [11, 3], [5], [16, 32, 32, 8]];

describe('batch-norm gradient ops', function () {
  before(useNativeBackend);
  after(() => tf.setBackend('native'));

  for (const backend of ['cpu', 'native']) {
    for (const [i, shape] of SHAPES.entries()) {
      it(`${backend}: [${shape}] matches a float64 reference and the composed TF.js ops`, async () => {
        await tf.setBackend(backend);
        const k = makeCase(shape, 10 + i);
        const ref = reference(k);
        const comp = composed(k);
        const got = viaOps(k);
        for (const key of ['sumDy', 'sumDyXhat', 'dx'] as const) {
          expectClose(`${key} vs float64`, got[key], ref[key]);
          expectClose(`${key} vs composed`, got[key], comp[key]);
        }
      });
    }
  }

  it('native: runs the addon kernels, once per call', async () => {
    await tf.setBackend('native');
    const k = makeCase([3, 7, 5, 9], 3);
    const sums = await countAddonCalls('batchNormGradSums', async () => {
      const input = await countAddonCalls('batchNormGradInput', async () => void viaOps(k));
      assert.equal(input, 1);
    });
    assert.equal(sums, 1);
  });

  it('batchMoments: the per-channel mean and biased variance of tf.moments, by the addon\'s one call on native', async () => {
    const x = () => tf.tensor(Array.from(randomValues(3 * 5 * 4 * 6, 31), (v, i) => 2 * v + (i % 6)), [3, 5, 4, 6]);
    const expected = tf.tidy(() => {
      const { mean, variance } = tf.moments(x(), [0, 1, 2]);
      return [mean.dataSync(), variance.dataSync()];
    });
    for (const backend of ['cpu', 'native']) {
      await tf.setBackend(backend);
      let got: Float32Array[] = [];
      const calls = await countAddonCalls('batchMoments', async () => {
        got = tf.tidy(() => {
          const { mean, variance } = batchMoments(x());
          assert.deepEqual([mean.shape, variance.shape], [[6], [6]]);
          return [mean.dataSync() as Float32Array, variance.dataSync() as Float32Array];
        });
      });
      assert.equal(calls, backend === 'native' ? 1 : 0, backend);
      expectClose(`${backend} mean`, got[0], expected[0]);
      expectClose(`${backend} variance`, got[1], expected[1]);
    }
    // An empty batch has no values for the kernel: TF.js's own ops answer (NaN, as tf.moments does).
    await tf.setBackend('native');
    const empty = await countAddonCalls('batchMoments', async () => {
      tf.tidy(() => {
        const { mean } = batchMoments(tf.zeros([0, 2, 2, 3]));
        assert.deepEqual(mean.shape, [3]);
      });
    });
    assert.equal(empty, 0);
    // int32 activations have no native kernel either: TF.js's ops, in float32.
    const ints = await countAddonCalls('batchMoments', async () => {
      tf.tidy(() => {
        const { mean, variance } = batchMoments(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'));
        assert.deepEqual([Array.from(mean.dataSync()), Array.from(variance.dataSync())], [[3, 4], [8 / 3, 8 / 3].map(Math.fround)]);
      });
    });
    assert.equal(ints, 0);
    // A vector is one value per channel: its own mean, no variance.
    tf.tidy(() => {
      const { mean, variance } = batchMoments(tf.tensor1d([1.5, -2, 4]));
      assert.deepEqual([Array.from(mean.dataSync()), Array.from(variance.dataSync())], [[1.5, -2, 4], [0, 0, 0]]);
    });
    assert.throws(() => batchMoments(tf.scalar(1)), /batchMoments: x must have a channel axis \(got a scalar\)/);
  });

  it('batchNormGradInput uses the sums and count it is given (replicas pass the whole batch\'s)', async () => {
    const k = makeCase([2, 3, 3, 5], 21);
    const sums = { sumDy: [0.5, -1, 2, 0, 3], sumDyXhat: [1, 0.25, -2, 4, 0] };
    const count = 3 * k.count;
    const expected = reference({ ...k, count });
    // Recompute dx with the given sums in float64.
    const c = k.mean.length;
    const dx = Array.from(k.x, (_, i) => {
      const j = i % c, xHat = (k.x[i] - k.mean[j]) * k.invStd[j];
      return k.gamma[j] * k.invStd[j] * (k.dy[i] - sums.sumDy[j] / count - xHat * sums.sumDyXhat[j] / count);
    });
    for (const backend of ['cpu', 'native']) {
      await tf.setBackend(backend);
      const got = viaOps(k, sums, count);
      expectClose(`${backend} dx with given sums`, got.dx, dx);
      expectClose(`${backend} own sums`, got.sumDy, expected.sumDy);
    }
  });

  for (const backend of ['cpu', 'native']) {
    it(`${backend}: bad shapes, dtypes and counts are errors that say what is wrong`, async () => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const x = tf.zeros([2, 3, 4]), dy = tf.zeros([2, 3, 4]), v4 = tf.ones([4]) as tf.Tensor1D, v3 = tf.ones([3]) as tf.Tensor1D;
        assert.throws(() => batchNormGradSums(tf.zeros([2, 3, 5]), x, v4, v4), /batchNormGradSums: dy has shape \[2,3,5\] but x has \[2,3,4\]/);
        assert.throws(() => batchNormGradSums(dy, x, v3, v4), /batchNormGradSums: mean has shape \[3\] but must be \[4\]/);
        assert.throws(() => batchNormGradSums(dy, x, v4, tf.ones([1, 4]) as unknown as tf.Tensor1D), /invStd has shape \[1,4\]/);
        assert.throws(() => batchNormGradSums(dy, x, v4, tf.ones([4, 1]) as unknown as tf.Tensor1D), /batchNormGradSums: invStd has shape \[4,1\] but must be \[4\]/);
        assert.throws(() => batchNormGradSums(tf.zeros([2, 3, 4], 'int32'), x, v4, v4), /dy must be float32, got int32/);
        assert.throws(() => batchNormGradSums(tf.scalar(1), tf.scalar(1), v4, v4), /x must have a channel axis/);
        assert.throws(() => batchNormGradInput(dy, x, v4, v4, v3, v4, v4, 6), /batchNormGradInput: gamma has shape \[3\] but must be \[4\]/);
        assert.throws(() => batchNormGradInput(dy, x, v4, v4, v4, v4, v4, 0), /count must be a positive number, got 0/);
        assert.throws(() => batchNormGradInput(dy, x, v4, v4, v4, v4, v4, Number.NaN), /count must be a positive number/);
      });
      assert.equal(tf.memory().numTensors, before);
    });
  }
});
