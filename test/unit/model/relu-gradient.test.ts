/** The one-pass ReLU gradient against TF.js's own step·mul, on cpu and on the native kernel. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { installReluGradient, reluGradient } from '../../../src/trainer/model/relu-gradient';
import { countAddonCalls, useNativeBackend } from '../native/helpers';

const values = [-2, -0.5, -0, 0, 1e-30, 0.5, 3, Number.NaN];

function composed(dy: tf.Tensor, x: tf.Tensor): number[] {
  return Array.from(tf.mul(dy, tf.cast(tf.step(x), 'float32')).dataSync());
}

describe('ReLU gradient', () => {
  before(useNativeBackend);
  after(() => tf.setBackend('native'));

  for (const backend of ['cpu', 'native']) {
    it(`${backend}: equals dy·step(x), zeros, negative zero and NaN included`, async () => {
      await tf.setBackend(backend);
      const x = tf.tensor1d(values);
      const dy = tf.tensor1d(values.map((_, i) => (i % 3 === 0 ? -1.5 : 2.25)));
      assert.deepEqual(Array.from(reluGradient(dy, x).dataSync()), composed(dy, x));
    });

    it(`${backend}: differentiating tf.relu goes through it once installed`, async () => {
      await tf.setBackend(backend);
      installReluGradient();
      const x = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 3);
      const w = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 4);
      const gradient = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), w)))(x).dataSync();
      assert.deepEqual(Array.from(gradient), composed(w, x));
    });
  }

  it('native: one addon call per gradient', async () => {
    await tf.setBackend('native');
    const x = tf.randomNormal([4, 8, 8, 16], 0, 1, 'float32', 5);
    const dy = tf.randomNormal([4, 8, 8, 16], 0, 1, 'float32', 6);
    const calls = await countAddonCalls('binary', async () => {
      reluGradient(dy, x).dataSync();
    });
    assert.equal(calls, 1);
    installReluGradient();
    const unaryCalls = await countAddonCalls('unary', async () => {
      tf.grad((v: tf.Tensor) => tf.sum(tf.relu(v)))(x).dataSync();
    });
    assert.equal(unaryCalls, 1, 'the forward ReLU only: no separate step pass in the gradient');
  });
});
