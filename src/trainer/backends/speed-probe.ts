/**
 * The doctor's training-speed probe: a few seconds of the trainer's own training step on the
 * kind of network a search starts from (the `empty` start net on 28×28 grey images), on the
 * active backend, in images per second. A rough figure for choosing a backend; the engine
 * benchmark (`npm run bench:engine`, docs/benchmarks.md) is the measurement.
 */
import * as tf from '@tensorflow/tfjs';
import { emptyNet } from '../../core/arch/seeds';
import { buildModel } from '../model/build';
import { OnePassAdam } from '../train/one-pass-adam';
import { trainStep } from '../train/phase';

export const SPEED_PROBE_BATCH = 16;

export interface SpeedFigures {
  imagesPerSecond: number;
  steps: number;
  seconds: number;
}

/**
 * Trains for about `ms` milliseconds after one warm-up step. A backend whose warm-up step alone
 * takes half of that (the plain-JavaScript `cpu`) is judged by that step, so the probe stays
 * short on every backend.
 */
export function measureTrainingSpeed(ms: number): SpeedFigures {
  const arch = emptyNet({ height: 28, width: 28, channels: 1 }, 10, 'standard');
  const model = buildModel(arch, { seed: 1 });
  // The trainer's own optimizer, so a backend's kernel for the Adam update counts in its speed.
  const optimizer = new OnePassAdam(1e-3);
  const batch = tf.tidy(() => ({
    x: tf.randomNormal([SPEED_PROBE_BATCH, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D,
    y: tf.oneHot(tf.randomUniform([SPEED_PROBE_BATCH], 0, 10, 'int32', 2) as tf.Tensor1D, 10).toFloat() as tf.Tensor2D,
    count: SPEED_PROBE_BATCH,
  }));
  try {
    // The first step compiles kernels and allocates: not what a run's steady state costs.
    const warmupStarted = performance.now();
    trainStep(model, optimizer, batch);
    const warmupSeconds = (performance.now() - warmupStarted) / 1000;
    if (warmupSeconds * 1000 >= ms / 2) return { imagesPerSecond: SPEED_PROBE_BATCH / warmupSeconds, steps: 1, seconds: warmupSeconds };
    const started = performance.now();
    let steps = 0;
    while (steps < 1 || performance.now() - started < ms) {
      trainStep(model, optimizer, batch);
      steps++;
    }
    const seconds = (performance.now() - started) / 1000;
    return { imagesPerSecond: (steps * SPEED_PROBE_BATCH) / seconds, steps, seconds };
  } finally {
    batch.x.dispose();
    batch.y.dispose();
    optimizer.dispose();
    model.dispose();
  }
}
