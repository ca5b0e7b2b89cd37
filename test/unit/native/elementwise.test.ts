import * as assert from 'node:assert/strict';

import * as tf from '@tensorflow/tfjs';

import { planReduction } from '../../../src/trainer/backends/native/kernels/reduce';
import { countAddonCalls, expectSameOnBothBackends, randomValues, useNativeBackend } from './helpers';

function t(shape: number[], seed: number, offset = 0): tf.Tensor {
  return tf.tensor(randomValues(tf.util.sizeFromShape(shape), seed).map((v) => v + offset), shape);
}

describe('native backend: elementwise ops match the cpu backend', function () {
  before(useNativeBackend);

  it('unary ops (relu, relu6, step, neg, square, sqrt, rsqrt, exp, log, abs, sigmoid, tanh)', async () => {
    const calls = await countAddonCalls('unary', () => expectSameOnBothBackends('unary', () => {
      const x = tf.mul(t([3, 5, 7, 4], 1), 8);
      const positive = t([3, 5, 7, 4], 2, 1.5);
      return [tf.relu(x), tf.relu6(x), tf.step(x), tf.step(x, 0.3), tf.neg(x), tf.square(x), tf.sqrt(positive),
        tf.rsqrt(positive), tf.exp(tf.div(x, 8)), tf.log(positive), tf.abs(x), tf.sigmoid(x), tf.tanh(x)];
    }));
    assert.ok(calls >= 13, `unary ran natively (${calls} calls)`);
  });

  const shapes: [number[], number[]][] = [
    [[4, 6, 6, 8], [4, 6, 6, 8]],
    [[4, 6, 6, 8], [8]],
    [[8], [4, 6, 6, 8]],
    [[4, 6, 6, 8], []],
    [[], [4, 6, 6, 8]],
    [[4, 1, 6, 8], [1, 5, 1, 8]],
    [[4, 6, 6, 8], [4, 1, 1, 8]],
    [[4, 6, 6, 1], [1, 1, 1, 8]],
    [[200, 300], [200, 1]],
    [[1], [1]],
  ];
  for (const [aShape, bShape] of shapes) {
    it(`binary ops broadcasting [${aShape}] with [${bShape}]`, async () => {
      const calls = await countAddonCalls('binary', () => expectSameOnBothBackends('binary', () => {
        const a = t(aShape, 3), b = t(bShape, 4, 2);
        return [tf.add(a, b), tf.sub(a, b), tf.mul(a, b), tf.div(a, b), tf.squaredDifference(a, b),
          tf.maximum(a, b), tf.minimum(a, b)];
      }));
      assert.equal(calls, 7);
    });
  }

  it('int32 operands use the cpu kernels', async () => {
    const calls = await countAddonCalls('binary', () => expectSameOnBothBackends('int add', () =>
      tf.add(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([4, 5, 6], 'int32'))));
    assert.equal(calls, 0);
  });

  it('addN', async () => {
    await expectSameOnBothBackends('addN', () => tf.addN([t([5, 7, 3], 5), t([5, 7, 3], 6), t([5, 7, 3], 7)]));
  });

  it('tile, including the per-channel broadcast of the batch-norm gradient', async () => {
    const calls = await countAddonCalls('tile', () => expectSameOnBothBackends('tile', () => [
      tf.tile(t([1, 1, 1, 8], 8), [4, 6, 6, 1]),
      tf.tile(t([2, 3], 9), [3, 2]),
      tf.tile(t([3, 1, 2], 10), [1, 4, 1]),
      tf.tile(t([5], 11), [3]),
    ]));
    assert.equal(calls, 4);
  });

  it('fused batch norm forward with per-channel statistics, and its gradients', async () => {
    await expectSameOnBothBackends('batchNorm', () => {
      const x = t([4, 5, 5, 6], 12), mean = t([6], 13), variance = t([6], 14, 1.5);
      const offset = t([6], 15), scale = t([6], 16);
      const y = tf.batchNorm(x, mean, variance, offset, scale, 1e-3);
      const r = t([4, 5, 5, 6], 17);
      const grads = tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
        tf.sum(tf.mul(tf.batchNorm(a, m, v, o, s, 1e-3), r)))([x, mean, variance, offset, scale]);
      return [y, tf.batchNorm(x, mean, variance), ...grads];
    });
  });
});

describe('native backend: reductions match the cpu backend', function () {
  before(useNativeBackend);

  const axesCases: (number | number[])[] = [[0, 1, 2], [1, 2], 3, -1, 0, [2, 3], [0, 1, 2, 3]];
  for (const axes of axesCases) {
    it(`sum, mean, max and min over axes ${JSON.stringify(axes)}, with and without keepDims`, async () => {
      const calls = await countAddonCalls('reduce', () => expectSameOnBothBackends('reduce', () => {
        const x = t([6, 7, 5, 9], 18);
        return [false, true].flatMap((keep) =>
          [tf.sum(x, axes, keep), tf.mean(x, axes, keep), tf.max(x, axes, keep), tf.min(x, axes, keep)]);
      }));
      assert.equal(calls, 8);
    });
  }

  it('a large batch-norm style sum over N,H,W stays accurate', async () => {
    await expectSameOnBothBackends('big sum', () => {
      const x = t([64, 32, 32, 16], 19, 0.5);
      return [tf.sum(x, [0, 1, 2]), tf.mean(x, [0, 1, 2])];
    });
  });

  it('reductions split into chunks across threads: many reduced rows, wide rows, many slabs', async () => {
    const calls = await countAddonCalls('reduce', () => expectSameOnBothBackends('chunked reduce', () => {
      const tall = t([3001, 7, 5], 21), wide = t([3, 20000], 22), slabs = t([9, 300, 40], 23);
      return [tall, wide, slabs].flatMap((x) => [tf.sum(x, 0), tf.max(x, 0), tf.min(x, 0), tf.mean(x, 0)])
        .concat([tf.sum(slabs, 1), tf.max(slabs, 1)]);
    }));
    assert.equal(calls, 14);
  });

  it('a parallel sum gives the same bits on every call', () => {
    const x = t([128, 16, 16, 8], 24, 0.5);
    const first = tf.sum(x, [0, 1, 2]);
    for (let i = 0; i < 5; i++) {
      const again = tf.sum(x, [0, 1, 2]);
      assert.deepEqual(again.dataSync(), first.dataSync());
      again.dispose();
    }
    tf.dispose([x, first]);
  });

  it('non-contiguous axes fall back to the cpu kernel', async () => {
    const calls = await countAddonCalls('reduce', () =>
      expectSameOnBothBackends('sum 0,2', () => tf.sum(t([4, 5, 6], 20), [0, 2])));
    assert.equal(calls, 0);
  });

  it('plans reductions as [outer, reduced, inner], ignoring size-1 axes', () => {
    assert.deepEqual(planReduction([4, 5, 6, 7], [0, 1, 2], false), { dims: [1, 120, 7], outShape: [7] });
    assert.deepEqual(planReduction([4, 5, 6, 7], [1, 2], true), { dims: [4, 30, 7], outShape: [4, 1, 1, 7] });
    assert.deepEqual(planReduction([4, 1, 6], [0, 2], false), { dims: [1, 24, 1], outShape: [1] });
    assert.equal(planReduction([4, 5, 6], [0, 2], false), null);
  });
});

describe('native backend: softmax matches the cpu backend', function () {
  before(useNativeBackend);

  it('over the last axis of rank 1 to 3, large logits included, and its gradient', async () => {
    await expectSameOnBothBackends('softmax', () => {
      const logits = tf.mul(t([128, 10], 31), 40);
      const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.softmax(x), t([128, 10], 32))))(logits);
      return [tf.softmax(logits), tf.softmax(t([7], 33)), tf.softmax(t([3, 4, 5], 34)), grad];
    });
  });

  it('runs as one native kernel with one output array, not the cpu kernel\'s six', () => {
    const backend = tf.backend() as unknown as { allocate(length: number): Float32Array };
    const allocate = backend.allocate;
    const lengths: number[] = [];
    backend.allocate = (length) => { lengths.push(length); return allocate.call(backend, length); };
    const logits = t([16, 10], 35);
    try {
      tf.softmax(logits).dispose();
    } finally {
      backend.allocate = allocate;
      logits.dispose();
    }
    assert.deepEqual(lengths, [160]);
  });
});
