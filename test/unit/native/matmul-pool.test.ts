import * as assert from 'node:assert/strict';

import * as tf from '@tensorflow/tfjs';

import { countAddonCalls, expectSameOnBothBackends, randomValues, useNativeBackend } from './helpers';

function t(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(randomValues(tf.util.sizeFromShape(shape), seed), shape);
}

describe('native backend: matrix products match the cpu backend', function () {
  before(useNativeBackend);

  for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]]) {
    it(`matMul 2-D and batched, transposeA=${transposeA} transposeB=${transposeB}`, async () => {
      const calls = await countAddonCalls('matmul', () => expectSameOnBothBackends('matMul', () => {
        const a2 = t(transposeA ? [13, 7] : [7, 13], 1), b2 = t(transposeB ? [5, 13] : [13, 5], 2);
        const a3 = t(transposeA ? [3, 13, 7] : [3, 7, 13], 3), b3 = t(transposeB ? [3, 5, 13] : [3, 13, 5], 4);
        return [tf.matMul(a2, b2, transposeA, transposeB), tf.matMul(a3, b3, transposeA, transposeB)];
      }));
      assert.equal(calls, 2);
    });
  }

  it('fused matMul with bias and relu, and its gradients (a dense layer)', async () => {
    await expectSameOnBothBackends('dense', () => {
      const x = t([6, 10], 5), w = t([10, 4], 6), bias = t([4], 7);
      const y = tf.fused.matMul({ a: x, b: w, bias, activation: 'relu' });
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.square(tf.fused.matMul({ a, b, bias: c, activation: 'relu' }))))([x, w, bias]);
      return [y, ...grads];
    });
  });

  it('broadcast batch dimensions fall back to the cpu kernel', async () => {
    const calls = await countAddonCalls('matmul', () =>
      expectSameOnBothBackends('broadcast batch', () => tf.matMul(t([1, 4, 3], 8), t([2, 3, 5], 9))));
    assert.equal(calls, 0);
  });
});

describe('native backend: pooling matches the cpu backend', function () {
  before(useNativeBackend);

  const cases: { size: [number, number]; k: number; stride: number; pad: 'same' | 'valid'; batch: number }[] = [
    { size: [8, 8], k: 2, stride: 2, pad: 'valid', batch: 2 },
    { size: [7, 7], k: 3, stride: 2, pad: 'same', batch: 1 },
    { size: [15, 15], k: 3, stride: 1, pad: 'same', batch: 2 },
    { size: [15, 15], k: 7, stride: 2, pad: 'valid', batch: 3 },
    { size: [8, 8], k: 8, stride: 1, pad: 'valid', batch: 2 },
  ];
  for (const [i, c] of cases.entries()) {
    it(`max and avg pool with gradients: batch ${c.batch}, ${c.size.join('x')}, ${c.k}x${c.k}, stride ${c.stride}, ${c.pad}`, async () => {
      const calls = await countAddonCalls('pool2dBackward', () => expectSameOnBothBackends('pool', () => {
        const x = t([c.batch, c.size[0], c.size[1], 5], 20 + i) as tf.Tensor4D;
        const maxY = tf.maxPool(x, c.k, c.stride, c.pad);
        const avgY = tf.avgPool(x, c.k, c.stride, c.pad);
        const r = t(maxY.shape, 40 + i);
        const dMax = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.k, c.stride, c.pad), r)))(x);
        const dAvg = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(a as tf.Tensor4D, c.k, c.stride, c.pad), r)))(x);
        return [maxY, avgY, dMax, dAvg];
      }));
      assert.equal(calls, 2);
    });
  }
});
