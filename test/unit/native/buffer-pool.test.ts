import * as assert from 'node:assert/strict';

import * as tf from '@tensorflow/tfjs';

import type { NativeBackend } from '../../../src/trainer/backends/native';
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
