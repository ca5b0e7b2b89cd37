import * as assert from 'node:assert/strict';

import * as tf from '@tensorflow/tfjs';

import { loadNativeAddon } from '../../../src/trainer/backends/native';
import { countAddonCalls, expectSameOnBothBackends, randomValues, useNativeBackend } from './helpers';

function t(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(randomValues(tf.util.sizeFromShape(shape), seed), shape);
}

// Copies must be exact: tolerance 0.
describe('native backend: transpose, slice and pad match the cpu backend', function () {
  before(useNativeBackend);

  it('transpose, including the reference shortcut\'s channel permutes and odd sizes', async () => {
    const calls = await countAddonCalls('transpose', () => expectSameOnBothBackends('transpose', () => [
      tf.transpose(t([4, 7, 5, 6], 1), [0, 3, 1, 2]),
      tf.transpose(t([4, 6, 7, 5], 2), [0, 2, 3, 1]),
      tf.transpose(t([3, 5], 3)),
      tf.transpose(t([2, 3, 4, 5, 3], 4), [4, 2, 0, 3, 1]),
      tf.transpose(t([2, 3, 4], 5), [0, 1, 2]),
    ], 0));
    assert.equal(calls, 5);
  });

  it('slice of inner boxes (the gradient of pad), with begin/size forms TF.js accepts', async () => {
    const calls = await countAddonCalls('slice', () => expectSameOnBothBackends('slice', () => [
      tf.slice(t([4, 9, 5, 6], 6), [0, 2, 0, 0], [4, 5, 5, 6]),
      tf.slice(t([3, 5, 7], 7), [1, 1, 2], [-1, 3, 4]),
      tf.slice(t([6, 5], 8), [0, 1], [6, 3]),
    ], 0));
    assert.equal(calls, 3);
  });

  it('a contiguous slice stays a view on the cpu path and is still correct', async () => {
    const calls = await countAddonCalls('slice', () => expectSameOnBothBackends('slice', () => tf.slice(t([6, 4, 3], 9), [2, 0, 0], [3, 4, 3]), 0));
    assert.equal(calls, 0);
  });

  it('constant pad on every axis, with a non-zero value, and its gradient', async () => {
    const calls = await countAddonCalls('pad', () => expectSameOnBothBackends('pad', () => {
      const x = t([2, 7, 5, 3], 10);
      const r = t([2, 7, 5, 13], 11);
      const grad = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.pad(a, [[0, 0], [0, 0], [0, 0], [4, 6]]), r)))(x);
      return [tf.pad(x, [[1, 2], [0, 3], [2, 0], [1, 1]], 0.5), tf.pad(t([5], 12), [[3, 1]]), grad];
    }, 0));
    assert.equal(calls, 3);
  });

  it('rejects a bad permutation and an out-of-range slice with an Error naming the kernel', () => {
    const addon = loadNativeAddon();
    assert.throws(() => addon.transpose(new Float32Array(6), [2, 3], [1, 1], new Float32Array(6)), /transpose: perm is not a permutation/);
    assert.throws(() => addon.slice(new Float32Array(6), [2, 3], [0, 2], [2, 2], new Float32Array(4)), /slice: dimension 1: begin 2 \+ size 2 exceeds 3/);
    assert.throws(() => addon.pad(new Float32Array(5), [2, 3], [0, 0], [0, 0], 0, new Float32Array(6)), /pad: x has 5 elements/);
  });
});
