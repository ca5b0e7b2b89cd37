/**
 * Optimizers for a training phase, and their state for checkpoints. TF.js optimizers keep their
 * slots (Adam's moments, momentum) by position in the variable list of `minimize`, which is the
 * model's trainable-weight order, so a state saved from one model instance restores onto a
 * rebuilt instance of the same architecture.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainingConfig } from '../../core/config/types';
import type { NamedArray } from '../run/tensor-bundle';

export function createOptimizer(training: TrainingConfig): tf.Optimizer {
  return training.optimizer === 'adam'
    ? tf.train.adam(training.learningRate)
    : tf.train.momentum(training.learningRate, training.momentum);
}

/**
 * TF.js reads the rate on every update but keeps the field protected; schedules change it
 * between epochs without discarding the optimizer's moments.
 */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = rate;
}

export async function saveOptimizerState(optimizer: tf.Optimizer): Promise<NamedArray[]> {
  const named = await optimizer.getWeights();
  return named.map((w) => {
    const int = w.tensor.dtype === 'int32';
    const data = w.tensor.dataSync();
    return { name: w.name, shape: w.tensor.shape.slice(), dtype: int ? 'int32' : 'float32', data: int ? Int32Array.from(data) : Float32Array.from(data) };
  });
}

export async function restoreOptimizerState(optimizer: tf.Optimizer, state: NamedArray[]): Promise<void> {
  // setWeights turns these tensors into the optimizer's slot variables, so they are not disposed here.
  await optimizer.setWeights(state.map((a) => ({ name: a.name, tensor: tf.tensor(a.data, a.shape, a.dtype) })));
}
