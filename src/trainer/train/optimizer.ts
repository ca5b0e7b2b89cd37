/**
 * Optimizers for a training phase, and their state for checkpoints. TF.js optimizers keep their
 * slots (Adam's moments, momentum) by position in the variable list of `minimize`, which is the
 * model's trainable-weight order, so a state saved from one model instance restores onto a
 * rebuilt instance of the same architecture.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainingConfig } from '../../core/config/types';
import type { NamedArray } from '../run/tensor-bundle';
import { OnePassAdam } from './one-pass-adam';

export function createOptimizer(training: TrainingConfig): tf.Optimizer {
  return training.optimizer === 'adam'
    ? new OnePassAdam(training.learningRate)
    : tf.train.momentum(training.learningRate, training.momentum);
}

/**
 * Schedules change the rate between epochs without discarding the optimizer's moments. Adam
 * reads its protected field on every update; SGD and momentum read a scalar made from the rate,
 * which only their own setLearningRate renews (setting the field alone left them at the first
 * rate for the whole phase).
 */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  // Not `instanceof tf.SGDOptimizer`: TF.js makes instanceof of any optimizer class true for every optimizer.
  const sgd = optimizer as unknown as { setLearningRate?: (rate: number) => void; learningRate: number };
  if (typeof sgd.setLearningRate === 'function') sgd.setLearningRate(rate);
  else sgd.learningRate = rate;
}

/**
 * Adam's running β₁ᵗ and β₂ᵗ. `setWeights` recomputes them as pow(β, t + 1), which differs in the
 * last bits from the product the uninterrupted run accumulated; those bits would make a resumed
 * run's weights drift from the uninterrupted run's. They are private in TF.js, hence the cast.
 */
const ADAM_POWERS = ['accBeta1', 'accBeta2'] as const;
type AdamPower = (typeof ADAM_POWERS)[number];
type AdamPowers = Partial<Record<AdamPower, tf.Variable>>;

/** The saved state's name for one of Adam's running powers (TF.js's getWeights leaves them out). */
export function adamPowerName(key: AdamPower): string {
  return `adam:${key}`;
}

/** Whether a saved state entry is one of Adam's running powers rather than TF.js's own weights. */
export function isAdamPower(name: string): boolean {
  return name.startsWith('adam:');
}

function toArray(name: string, tensor: tf.Tensor): NamedArray {
  const int = tensor.dtype === 'int32';
  const data = tensor.dataSync();
  return { name, shape: tensor.shape.slice(), dtype: int ? 'int32' : 'float32', data: int ? Int32Array.from(data) : Float32Array.from(data) };
}

export async function saveOptimizerState(optimizer: tf.Optimizer): Promise<NamedArray[]> {
  const named = await optimizer.getWeights();
  const state = named.map((w) => toArray(w.name, w.tensor));
  const powers = optimizer as unknown as AdamPowers;
  for (const key of ADAM_POWERS) {
    const variable = powers[key];
    if (variable) state.push(toArray(adamPowerName(key), variable));
  }
  return state;
}

export async function restoreOptimizerState(optimizer: tf.Optimizer, state: NamedArray[]): Promise<void> {
  const slots = state.filter((a) => !isAdamPower(a.name));
  // setWeights turns these tensors into the optimizer's slot variables, so they are not disposed here.
  await optimizer.setWeights(slots.map((a) => ({ name: a.name, tensor: tf.tensor(a.data, a.shape, a.dtype) })));
  const powers = optimizer as unknown as AdamPowers;
  for (const key of ADAM_POWERS) {
    const saved = state.find((a) => a.name === adamPowerName(key));
    const variable = powers[key];
    if (saved && variable) tf.tidy(() => variable.assign(tf.tensor(saved.data, saved.shape, 'float32')));
  }
}
