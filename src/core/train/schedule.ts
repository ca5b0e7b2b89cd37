/** Learning-rate schedules, per epoch (0-based) of a training phase. */
import type { TrainingConfig } from '../config/types';

export function learningRateAt(training: Pick<TrainingConfig, 'learningRate' | 'schedule' | 'stepEvery' | 'stepFactor'>, epoch: number, epochs: number): number {
  const base = training.learningRate;
  switch (training.schedule) {
    case 'constant':
      return base;
    case 'step':
      return base * Math.pow(training.stepFactor, Math.floor(epoch / Math.max(1, training.stepEvery)));
    case 'cosine':
      // Half a cosine from the base rate at the first epoch towards 0 after the last.
      return epochs <= 1 ? base : 0.5 * base * (1 + Math.cos((Math.PI * epoch) / epochs));
  }
}
