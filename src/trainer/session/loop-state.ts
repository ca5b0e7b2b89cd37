/** What the run loop carries from phase to phase, and what exporting the result reads from it. */
import type * as tf from '@tensorflow/tfjs';
import type { Architecture } from '../../core/arch/types';
import type { NamedArray } from '../run/tensor-bundle';
import type { TrainingBatchesState } from '../data/batches';
import type { RunProgress } from './progress-state';

export interface LoopState {
  progress: RunProgress;
  arch: Architecture;
  /** The model holding the current weights, or null before the first build. */
  model: tf.LayersModel | null;
  /** A phase interrupted mid-way: its completed epochs, optimizer slots and, inside an epoch, the batch position. */
  resumePhase: { epochsDone: number; optimizer: NamedArray[] | null; batches?: TrainingBatchesState } | null;
}
