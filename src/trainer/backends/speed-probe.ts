/**
 * The doctor's training-speed probe: a few seconds of the trainer's own training step on the
 * kind of network a search starts from (the `empty` start net on 28×28 grey images), on the
 * active backend, in images per second. A rough figure for choosing a backend; the engine
 * benchmark (`npm run bench:engine`, docs/benchmarks.md) is the measurement.
 */
import * as tf from '@tensorflow/tfjs';
import { emptyNet } from '../../core/arch/seeds';
import { buildModel } from '../model/build';
import { trainStep } from '../train/phase';

export const SPEED_PROBE_BATCH = 32;

export interface SpeedFigures {
  imagesPerSecond: number;
  steps: number;
  seconds: number;
}

/** Trains for about `ms` milliseconds after one warm-up step (at least 2 timed steps). */
export function measureTrainingSpeed(ms: number): SpeedFigures {
  const arch = emptyNet({ height: 28, width: 28, channels: 1 }, 10, 'standard');
  const model = buildModel(arch, { seed: 1 });
  const optimizer = tf.train.adam(1e-3);
  const batch = tf.tidy(() => ({
    x: tf.randomNormal([SPEED_PROBE_BATCH, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D,
    y: tf.oneHot(tf.randomUniform([SPEED_PROBE_BATCH], 0, 10, 'int32', 2) as tf.Tensor1D, 10).toFloat() as tf.Tensor2D,
    count: SPEED_PROBE_BATCH,
  }));
  try {
    // The first step compiles kernels and allocates: not what a run's steady state costs.
    trainStep(model, optimizer, batch);
    const started = performance.now();
    let steps = 0;
    while (steps < 2 || performance.now() - started < ms) {
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
