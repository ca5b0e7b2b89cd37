/** Training worker entry point when the trainer runs from TypeScript sources (tests, tsx). */
import { maybeRunTrainingWorker } from './worker-mode';

if (!maybeRunTrainingWorker()) {
  process.stderr.write('worker-entry.ts runs training workers only; start it as a worker thread with the training worker workerData\n');
  process.exitCode = 2;
}
