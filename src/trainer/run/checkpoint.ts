/**
 * Checkpoints: everything a run needs to continue exactly where it was — the architecture, the
 * model's weights (BN moving statistics included), the optimizer's slots, every RNG stream's
 * state, the search's own state and how far the current phase got. Written after every epoch
 * into a fresh folder that then replaces the previous checkpoint by rename, so a kill at any
 * moment leaves either the old or the new checkpoint whole.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '../../core/arch/types';
import type { TrainingBatchesState } from '../data/batches';
import { readBundle, writeBundle, type NamedArray } from './tensor-bundle';

export const CHECKPOINT_VERSION = 1;

export interface CheckpointState<P = unknown> {
  version: typeof CHECKPOINT_VERSION;
  runId: string;
  configHash: string;
  createdAt: string;
  label: string;
  rng: Record<string, number[]>;
  architecture: Architecture;
  /** The run's own progress (search position, history), opaque here. */
  progress: P;
  /**
   * How far the phase in progress got, or null between phases. `batches` is there when a stop
   * came inside an epoch: the epoch continues from that batch.
   */
  phase: { epochsDone: number; epochs: number; batches?: TrainingBatchesState } | null;
}

export interface Checkpoint<P = unknown> {
  state: CheckpointState<P>;
  weights: NamedArray[];
  optimizer: NamedArray[] | null;
}

export function modelWeights(model: tf.LayersModel): NamedArray[] {
  return model.weights.map((w) => {
    const value = w.read();
    return { name: w.originalName, shape: value.shape.slice(), dtype: 'float32', data: Float32Array.from(value.dataSync()) };
  });
}

/** Loads weights by name; every weight of the model must be present with the same shape. */
export function loadModelWeights(model: tf.LayersModel, weights: NamedArray[], source: string): void {
  const byName = new Map(weights.map((w) => [w.name, w]));
  for (const variable of model.weights) {
    const stored = byName.get(variable.originalName);
    if (!stored) throw new Error(`${source}: the checkpoint has no weight "${variable.originalName}"; it does not belong to this architecture.`);
    if (stored.shape.join('x') !== variable.shape.join('x')) {
      throw new Error(`${source}: weight "${variable.originalName}" has shape [${stored.shape}] in the checkpoint but [${variable.shape}] in the model.`);
    }
    const value = tf.tensor(stored.data, stored.shape, 'float32');
    variable.write(value);
    value.dispose();
  }
}

export function writeCheckpoint<P>(dir: string, checkpoint: Checkpoint<P>): void {
  const next = `${dir}.next`;
  fs.rmSync(next, { recursive: true, force: true });
  fs.mkdirSync(next, { recursive: true });
  writeBundle(path.join(next, 'weights'), checkpoint.weights);
  if (checkpoint.optimizer) writeBundle(path.join(next, 'optimizer'), checkpoint.optimizer);
  fs.writeFileSync(path.join(next, 'state.json'), JSON.stringify(checkpoint.state, null, 1));
  const old = `${dir}.old`;
  fs.rmSync(old, { recursive: true, force: true });
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(next, dir);
  fs.rmSync(old, { recursive: true, force: true });
}

/** Reads the latest whole checkpoint (also one left as `.old` by a kill between the two renames). */
export function readCheckpoint<P>(dir: string): Checkpoint<P> {
  const candidates = [dir, `${dir}.old`].filter((d) => fs.existsSync(path.join(d, 'state.json')));
  if (candidates.length === 0) {
    throw new Error(`No checkpoint in ${path.dirname(dir)}: the run stopped before its first epoch ended. Start it again with \`resbuilder run <config>\`.`);
  }
  const from = candidates[0];
  const state = JSON.parse(fs.readFileSync(path.join(from, 'state.json'), 'utf8')) as CheckpointState<P>;
  if (state.version !== CHECKPOINT_VERSION) throw new Error(`${from}: checkpoint version ${state.version} is not supported (expected ${CHECKPOINT_VERSION}).`);
  const optimizerDir = path.join(from, 'optimizer');
  return {
    state,
    weights: readBundle(path.join(from, 'weights')),
    optimizer: fs.existsSync(optimizerDir) ? readBundle(optimizerDir) : null,
  };
}
