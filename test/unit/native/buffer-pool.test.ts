import * as assert from 'node:assert/strict';

import * as tf from '@tensorflow/tfjs';

import type { NativeBackend } from '../../../src/trainer/backends/native';
import { Float32BufferPool } from '../../../src/trainer/backends/native/buffer_pool';
import { randomValues, useNativeBackend } from './helpers';

describe('native backend: output array recycling', function () {
  before(useNativeBackend);

  it('reuses the array of a disposed kernel output for the next output of that size', () => {
    const backend = tf.backend() as NativeBackend;
    const x = tf.tensor(randomValues(4096, 1), [64, 64]);
    const first = tf.relu(x);
    first.dispose();
    const pooled = backend.pooledBytes;
    assert.ok(pooled >= 4096 * 4, 'the released output is kept');
    const second = tf.neg(x);
    assert.equal(backend.pooledBytes, pooled - 4096 * 4, 'the next output took it');
    assert.equal(second.dataSync()[5], -x.dataSync()[5]);
    tf.dispose([x, second]);
  });

  it('never recycles an array that user code read through dataSync()', () => {
    const x = tf.tensor(randomValues(1024, 2), [32, 32]);
    const y = tf.relu(x);
    const values = y.dataSync();
    const copy = values.slice();
    y.dispose();
    const others = [tf.neg(x), tf.square(x), tf.abs(x)];
    assert.deepEqual(values, copy, 'the read array kept its contents after later kernels ran');
    tf.dispose([x, ...others]);
  });

  it('keeps an array alive while a second tensor wraps it (reshape, clone)', () => {
    const x = tf.tensor(randomValues(2048, 3), [2048]);
    const y = tf.relu(x);
    const reshaped = tf.reshape(y, [32, 64]);
    const cloned = tf.clone(y);
    y.dispose();
    const others = [tf.neg(x), tf.square(x)];
    const expected = Array.from(x.dataSync(), (v) => Math.max(v, 0));
    assert.deepEqual(Array.from(reshaped.dataSync()), expected);
    assert.deepEqual(Array.from(cloned.dataSync()), expected);
    tf.dispose([x, reshaped, cloned, ...others]);
  });
});

describe('Float32BufferPool', () => {
  it('when full, drops the sizes used least recently to keep the one just released', () => {
    const pool = new Float32BufferPool(40 * 4);
    const old = new Float32Array(10), recent = new Float32Array(20), incoming = new Float32Array(15);
    pool.give(old);
    pool.give(recent);
    assert.equal(pool.bytes, 30 * 4);
    pool.give(incoming);
    assert.equal(pool.bytes, 35 * 4, 'the 10-element array (least recently used size) made room');
    assert.equal(pool.take(15), incoming);
    assert.equal(pool.take(20), recent);
    assert.notEqual(pool.take(10), old, 'the evicted array is gone: a fresh one is allocated');
  });

  it('a size that was just taken counts as recently used', () => {
    const pool = new Float32BufferPool(30 * 4);
    const a = new Float32Array(10), b = new Float32Array(10), c = new Float32Array(12);
    pool.give(new Float32Array(8));
    pool.give(a);
    pool.give(b);
    assert.equal(pool.take(8).length, 8);
    const eight = new Float32Array(8);
    pool.give(eight);
    pool.give(c);
    assert.ok(pool.bytes <= 30 * 4);
    assert.equal(pool.take(8), eight, 'the 8-element size was used after the 10-element one, so it stayed');
    assert.equal(pool.take(12), c);
  });

  it('never holds more than its limit, and ignores an array larger than the whole limit', () => {
    const pool = new Float32BufferPool(100 * 4);
    pool.give(new Float32Array(101));
    assert.equal(pool.bytes, 0);
    for (let i = 1; i <= 30; i++) {
      pool.give(new Float32Array(i));
      assert.ok(pool.bytes <= 100 * 4, `after ${i} releases: ${pool.bytes} bytes`);
    }
  });
});

describe('Float32BufferPool sweeps', () => {
  it('drops sizes nobody took during the last sweep window, and keeps the ones in use', () => {
    const pool = new Float32BufferPool(1000 * 4, 10);
    const stale = new Float32Array(50);
    pool.give(stale);
    const inUse = new Float32Array(20);
    pool.give(inUse);
    // Nine takes of the size in use (each released again): no sweep yet.
    for (let i = 0; i < 9; i++) pool.give(pool.take(20));
    assert.equal(pool.bytes, 70 * 4);
    // The tenth take sweeps: 50 was never taken in the window, 20 was.
    const array = pool.take(20);
    assert.equal(array, inUse);
    assert.equal(pool.bytes, 0, 'the stale 50-element array is gone');
    pool.give(array);
    assert.equal(pool.take(20), inUse);
    assert.notEqual(pool.take(50), stale);
  });
});
