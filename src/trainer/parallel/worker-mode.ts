/**
 * Lets a program double as the entry point of its training workers: a worker thread is started
 * on the program's own file (the trainer bundle, a benchmark bundle) with workerData marking it,
 * and the program's entry calls maybeRunTrainingWorker() before anything else.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { TRAINING_WORKER_KIND } from './messages';
import { runTrainingWorker } from './worker';

/** True on a training worker thread. */
export function isTrainingWorkerThread(): boolean {
  return !isMainThread && (workerData as { kind?: unknown } | null)?.kind === TRAINING_WORKER_KIND;
}

/** On a training worker thread: starts the worker loop and returns true. Elsewhere: false. */
export function maybeRunTrainingWorker(): boolean {
  if (!isTrainingWorkerThread()) return false;
  void runTrainingWorker();
  return true;
}
