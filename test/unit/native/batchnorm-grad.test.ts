import * as assert from 'node:assert/strict';

import * as tf from '@tensorflow/tfjs';

import { loadNativeAddon } from '../../../src/trainer/backends/native';
import { batchMoments } from '../../../src/trainer/model/batch-norm-ops';
import { countAddonCalls, randomValues, relativeError, useNativeBackend } from './helpers';

// The addon's batch-norm gradient functions called directly: argument checks, and a row count
// above the parallel threshold with a remainder so both threads' slices and the float-block
// boundaries are exercised (the ops' tests compare the same kernels against the cpu backend).
describe('native addon: batch-norm gradient kernels', function () {
  before(useNativeBackend);

  it('reject buffers and counts that do not fit, naming kernel and argument', () => {
    const addon = loadNativeAddon();
    const x = new Float32Array(12), c3 = new Float32Array(3), c4 = new Float32Array(4);
    assert.throws(() => addon.batchNormGradSums(x, new Float32Array(10), c4, c4, c4, c4, 4), /batchNormGradSums: x has 10 elements, not a multiple of the 4 channels/);
    assert.throws(() => addon.batchNormGradSums(new Float32Array(8), x, c4, c4, c4, c4, 4), /batchNormGradSums: dy has 8 elements but its shape needs 12/);
    assert.throws(() => addon.batchNormGradSums(x, x, c3, c4, c4, c4, 4), /batchNormGradSums: mean has 3 elements but its shape needs 4/);
    assert.throws(() => addon.batchNormGradSums(x, x, c4, c4, c4, c4, 0), /batchNormGradSums: channels must be at least 1/);
    assert.throws(() => addon.batchNormGradInput(x, x, c4, c4, c4, c4, c4, new Float32Array(4), 4, 3), /batchNormGradInput: dx has 4 elements/);
    assert.throws(() => addon.batchNormGradInput(x, x, c4, c4, c4, c4, c4, x, 4, 0), /batchNormGradInput: count must be positive/);
  });

  it('sum and apply over many rows like a float64 loop', () => {
    const addon = loadNativeAddon();
    const c = 5, rows = 20011, n = rows * c;
    const dy = randomValues(n, 1), x = randomValues(n, 2).map((v) => v + 0.25);
    const mean = Float32Array.from([0.2, 0.3, 0.1, 0.25, 0.3]), invStd = Float32Array.from([1.5, 2, 1.7, 1.2, 0.9]);
    const gamma = Float32Array.from([1, -0.5, 2, 0.7, 1.1]);
    const sumDy = new Float32Array(c), sumDyXhat = new Float32Array(c), dx = new Float32Array(n);
    addon.batchNormGradSums(dy, x, mean, invStd, sumDy, sumDyXhat, c);
    const refDy = new Float64Array(c), refDyXhat = new Float64Array(c);
    for (let i = 0; i < n; i++) {
      refDy[i % c] += dy[i];
      refDyXhat[i % c] += dy[i] * (x[i] - mean[i % c]) * invStd[i % c];
    }
    assert.ok(relativeError(sumDy, refDy) <= 1e-5, `Σdy ${relativeError(sumDy, refDy)}`);
    assert.ok(relativeError(sumDyXhat, refDyXhat) <= 1e-5, `Σdy·x̂ ${relativeError(sumDyXhat, refDyXhat)}`);
    addon.batchNormGradInput(dy, x, mean, invStd, gamma, sumDy, sumDyXhat, dx, c, 3 * rows);
    const refDx = Array.from(dx, (_, i) => {
      const j = i % c, xHat = (x[i] - mean[j]) * invStd[j];
      return gamma[j] * invStd[j] * (dy[i] - refDy[j] / (3 * rows) - xHat * refDyXhat[j] / (3 * rows));
    });
    assert.ok(relativeError(dx, refDx) <= 1e-5, `dx ${relativeError(dx, refDx)}`);
  });
});

describe('native backend: batch statistics', function () {
  before(useNativeBackend);

  it('batchMoments equals tf.moments on cpu (odd channel counts, one row, large offsets)', async () => {
    const cases: Array<[number[], number]> = [[[4, 5, 5, 6], 0], [[128, 8, 8, 64], 0], [[3, 7, 7, 13], 50], [[1, 1, 1, 5], 0], [[2, 9], -3]];
    for (const [shape, offset] of cases) {
      const values = randomValues(tf.util.sizeFromShape(shape), shape.length * 31 + shape[shape.length - 1]).map((v) => v * 2 + offset);
      const expected = await tf.setBackend('cpu').then(() => tf.tidy(() => {
        const m = tf.moments(tf.tensor(values, shape), shape.slice(0, -1).map((_, i) => i));
        return [m.mean.dataSync().slice(), m.variance.dataSync().slice()];
      }));
      await tf.setBackend('native');
      const calls = await countAddonCalls('batchMoments', async () => {
        const { mean, variance } = batchMoments(tf.tensor(values, shape));
        assert.ok(relativeError(mean.dataSync(), expected[0]) <= 1e-4, `mean of [${shape}]`);
        assert.ok(relativeError(variance.dataSync(), expected[1]) <= 1e-4, `variance of [${shape}]`);
      });
      assert.equal(calls, 1);
    }
  });
});
