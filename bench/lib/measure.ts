/**
 * Timed training and inference loops of one model on the active TF.js backend, on synthetic data
 * of the model's input shape. The training step is the trainer's own `trainStep` (phase.ts):
 * softmax outputs, the trainer's cross-entropy, `optimizer.minimize` over the model's trainable
 * weights, the loss and correct count read back. It runs without the trainer's L1/L2 kernel
 * penalties and the search's MorphNet term: they are elementwise work on the weights, small next
 * to the convolutions, and PyTorch is run without them too.
 */
import * as tf from '@tensorflow/tfjs';
import { CONFIG_DEFAULTS } from '../../src/core/config/defaults';
import type { InferenceNet } from '../../src/trainer/model/inference';
import type { Batch } from '../../src/trainer/train/evaluate';
import { OnePassAdam } from '../../src/trainer/train/one-pass-adam';
import { trainStep as trainerStep } from '../../src/trainer/train/phase';
import type { Timing } from './types';

export type SyntheticBatch = Batch;

/** Normal(0, 1) images and uniformly drawn one-hot labels, the same for a given seed. */
export function syntheticBatch(batchSize: number, shape: readonly [number, number, number], numClasses: number, seed: number): SyntheticBatch {
  return tf.tidy(() => {
    const x = tf.randomNormal([batchSize, ...shape], 0, 1, 'float32', seed) as tf.Tensor4D;
    const labels = tf.randomUniform([batchSize], 0, numClasses, 'int32', seed + 1);
    const y = tf.oneHot(labels as tf.Tensor1D, numClasses).toFloat() as tf.Tensor2D;
    return { x, y, count: batchSize };
  });
}

/** The trainer's Adam (one-pass update where the backend has the kernel) at the default rate; β1, β2, ε are TF.js's defaults. */
export function benchOptimizer(): tf.AdamOptimizer {
  return new OnePassAdam(CONFIG_DEFAULTS.training.learningRate);
}

/** The settings of benchOptimizer(), for PyTorch to train with the same Adam. */
export function benchAdamSettings(): { learningRate: number; beta1: number; beta2: number; epsilon: number } {
  const optimizer = benchOptimizer();
  const o = optimizer as unknown as { learningRate: number; beta1: number; beta2: number; epsilon: number };
  const settings = { learningRate: o.learningRate, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon };
  optimizer.dispose();
  return settings;
}

/** One training step of the trainer; returns the loss. */
export function trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, batch: SyntheticBatch): number {
  return trainerStep(model, optimizer, batch).loss;
}

/** Inference as evaluation runs it (the model with its batch norms folded, inference.ts) or as another `predict` runs it, read back. */
export function inferStep(net: Pick<InferenceNet, 'predict'>, batch: SyntheticBatch): void {
  const out = net.predict(batch.x);
  out.dataSync();
  out.dispose();
}

export interface LoopPlan {
  /** Stop after this many seconds (checked after every step)… */
  seconds: number;
  /** …or after exactly this many steps when set. */
  steps: number | null;
  warmupSteps: number;
  /** Never time fewer steps than this, however slow a step is. */
  minSteps: number;
}

/** Runs `step` for the warm-up, then times it; returns the timing and the last step's value. A step may be asynchronous (data-parallel workers). */
export async function timeLoop<T>(step: () => T | Promise<T>, batchSize: number, plan: LoopPlan): Promise<{ timing: Timing; last: T }> {
  let last = undefined as T;
  for (let i = 0; i < plan.warmupSteps; i++) last = await step();
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  let steps = 0;
  for (;;) {
    last = await step();
    steps += 1;
    const elapsed = (performance.now() - started) / 1000;
    if (plan.steps !== null ? steps >= plan.steps : steps >= plan.minSteps && elapsed >= plan.seconds) break;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return {
    timing: {
      steps, batchSize, seconds, imagesPerSecond: (steps * batchSize) / seconds, msPerStep: (seconds * 1000) / steps,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    },
    last,
  };
}
