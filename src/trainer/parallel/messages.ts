/** Messages between the training thread and its data-parallel training workers. */
import type { Architecture } from '../../core/arch/types';
import type { SearchConfig, TrainingConfig } from '../../core/config/types';
import type { NamedArray } from '../run/tensor-bundle';
import type { AllReduceMemory } from './all-reduce';

/** Marks a worker thread started to train (workerData.kind), so an entry point knows to run the worker loop. */
export const TRAINING_WORKER_KIND = 'resbuilder-training-worker';

/** workerData of a training worker. */
export interface WorkerStart {
  kind: typeof TRAINING_WORKER_KIND;
  rank: number;
  size: number;
}

/** What a worker needs to train one phase: the model, its start weights and optimizer state, and the loss terms. */
export interface PhaseSetup {
  arch: Architecture;
  weights: NamedArray[];
  optimizerState: NamedArray[] | null;
  training: TrainingConfig;
  /** As penalizedKernels: L1 only on inserted convs. */
  l1OnlyOnInsertedLayers: boolean;
  /** The search settings when the phase adds the MorphNet term; null without it. */
  morphnet: SearchConfig | null;
  memory: AllReduceMemory;
}

/** One worker's share of a batch (count 0: the batch has fewer images than there are workers). */
export interface ShardStep {
  x: Float32Array;
  y: Float32Array;
  count: number;
  /** Images in the whole batch. */
  total: number;
  /** [height, width, channels] */
  imageShape: [number, number, number];
  numClasses: number;
  learningRate: number;
}

export type WorkerRequest =
  | { type: 'setup'; setup: PhaseSetup }
  | { type: 'step'; step: ShardStep }
  | { type: 'weights' }
  | { type: 'optimizer-state' }
  | { type: 'close' };

export interface StepReply {
  /** This worker's part of the batch's mean cross-entropy (its mean weighed by its share of the batch). */
  loss: number;
  correct: number;
  /** Milliseconds this worker waited for the others during the step. */
  waitedMs: number;
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'done' }
  | { type: 'step'; result: StepReply }
  | { type: 'arrays'; arrays: NamedArray[] }
  | { type: 'error'; message: string; stack?: string; aborted: boolean };
