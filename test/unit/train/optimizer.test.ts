/** Optimizer state survives a checkpoint bit for bit, so resumed runs do not drift; schedules reach every optimizer. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { CONFIG_DEFAULTS } from '../../../src/core/config/defaults';
import { createOptimizer, restoreOptimizerState, saveOptimizerState, setLearningRate } from '../../../src/trainer/train/optimizer';

function step(optimizer: tf.Optimizer, w: tf.Variable, target: tf.Tensor): void {
  optimizer.minimize(() => tf.sum(tf.square(tf.sub(w, target))) as tf.Scalar, false, [w]);
}

describe('optimizer state', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const kind of ['adam', 'sgd'] as const) {
    it(`${kind}: a restored optimizer continues exactly like the original`, async () => {
      const training = { ...CONFIG_DEFAULTS.training, optimizer: kind, learningRate: 0.01 };
      const target = tf.randomNormal([5, 3], 0, 1, 'float32', 1);
      const original = createOptimizer(training);
      const w = tf.variable(tf.randomNormal([5, 3], 0, 1, 'float32', 2));
      for (let i = 0; i < 37; i++) step(original, w, target);
      const saved = await saveOptimizerState(original);

      const copy = tf.variable(w.clone());
      const restored = createOptimizer(training);
      await restoreOptimizerState(restored, saved);
      for (let i = 0; i < 25; i++) {
        step(original, w, target);
        step(restored, copy, target);
      }
      assert.deepEqual(Array.from(copy.dataSync()), Array.from(w.dataSync()));
    });

    it(`${kind}: a new learning rate takes effect on the next update`, () => {
      const training = { ...CONFIG_DEFAULTS.training, optimizer: kind, learningRate: 0.01 };
      const target = tf.randomNormal([4], 0, 1, 'float32', 3);
      const optimizer = createOptimizer(training);
      const w = tf.variable(tf.randomNormal([4], 0, 1, 'float32', 4));
      step(optimizer, w, target);
      setLearningRate(optimizer, 0);
      const before = Array.from(w.dataSync());
      step(optimizer, w, target);
      assert.deepEqual(Array.from(w.dataSync()), before);
      optimizer.dispose();
    });
  }
});
