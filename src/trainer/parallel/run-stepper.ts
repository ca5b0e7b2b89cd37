/**
 * Which stepper a run's training phase uses: data-parallel wasm workers when the config asks
 * for more than one worker and the run is on the wasm backend, else none (the phase trains on
 * the run's own thread).
 *
 * On any other backend `workers` is ignored with a logged warning rather than refused: with
 * `backend: auto` the same config then runs everywhere, and the native and TensorFlow backends
 * already use every core themselves. `workers: auto` (the default) is ignored there silently.
 *
 * `auto` means 2 workers where the machine has 2 or more cores: two is what the data-parallel
 * design is measured and tested at (docs/data-parallel.md), and it nearly doubles a one-thread
 * run's speed on two cores.
 */
import { availableParallelism } from 'node:os';
import type * as tf from '@tensorflow/tfjs';
import type { WorkersChoice } from '../../core/config/types';
import type { Architecture } from '../../core/arch/types';
import type { NamedArray } from '../run/tensor-bundle';
import type { RunContext } from '../session/context';
import { ParallelStepper } from './parallel-stepper';

const told = new WeakSet<RunContext>();

export interface PhaseStepperOptions {
  model: tf.LayersModel;
  arch: Architecture;
  /** Whether the phase adds the MorphNet term (a search training). */
  morphnet: boolean;
  /** The optimizer state the phase continues from (a resumed phase), or null. */
  optimizerState: NamedArray[] | null;
}

/** The number of worker threads a `workers` setting means on a machine with `cores` cores. */
export function resolveWorkers(choice: WorkersChoice, cores: number = availableParallelism()): number {
  if (choice !== 'auto') return choice;
  return cores >= 2 ? 2 : 1;
}

/** Starts the workers for a phase, or returns null when the phase trains on this thread; the caller closes it. */
export async function openPhaseStepper(ctx: RunContext, options: PhaseStepperOptions): Promise<ParallelStepper | null> {
  const choice = ctx.config.workers;
  if (choice === 'auto' && ctx.backend.name !== 'wasm') return null;
  const workers = resolveWorkers(choice);
  if (workers <= 1) return null;
  if (ctx.backend.name !== 'wasm') {
    if (!told.has(ctx)) {
      told.add(ctx);
      ctx.emitter.emit({
        type: 'log', level: 'warn',
        message: `workers: ${workers} is ignored: worker threads are for the wasm backend, and this run uses ${ctx.backend.name}, which trains on one thread (and uses its own threads where it has them). Set backend: wasm to train on ${workers} workers.`,
      });
    }
    return null;
  }
  if (!told.has(ctx)) {
    told.add(ctx);
    ctx.emitter.emit({ type: 'log', level: 'info', message: `Training on ${workers} wasm worker threads${choice === 'auto' ? ' (workers: auto)' : ''}, each with 1/${workers} of every batch (synchronised batch norm).` });
  }
  return ParallelStepper.start({
    workers,
    model: options.model,
    arch: options.arch,
    training: ctx.config.training,
    l1OnlyOnInsertedLayers: ctx.config.search.l1OnlyOnInsertedLayers,
    morphnet: options.morphnet ? ctx.config.search : null,
    optimizerState: options.optimizerState,
  });
}
