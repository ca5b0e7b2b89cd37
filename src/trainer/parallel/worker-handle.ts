/**
 * The training thread's end of one training worker: requests answered in order, and every way
 * a worker can fail (an error reply, an uncaught exception, an unexpected exit) turned into a
 * TrainingWorkerError on the pending requests.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { TRAINING_WORKER_KIND, type WorkerReply, type WorkerRequest, type WorkerStart } from './messages';

/** The file a worker thread starts from, and the Node options it needs. */
export interface WorkerEntry {
  modulePath: string;
  execArgv: string[];
}

/**
 * From TypeScript sources: worker-entry.ts through tsx. From a bundle: the bundle itself, whose
 * entry point must call maybeRunTrainingWorker() first (the trainer bundle's main does).
 */
export function defaultWorkerEntry(): WorkerEntry {
  if (__filename.endsWith('.ts')) {
    return { modulePath: path.join(__dirname, 'worker-entry.ts'), execArgv: ['--require', require.resolve('tsx/cjs')] };
  }
  return { modulePath: __filename, execArgv: [] };
}

export class TrainingWorkerError extends Error {
  constructor(
    readonly rank: number,
    detail: string,
    /** The worker only gave up because another one failed. */
    readonly aborted = false,
    workerStack?: string,
  ) {
    super(`Training worker ${rank} failed: ${detail}`);
    this.name = 'TrainingWorkerError';
    if (workerStack) this.stack = `${this.name}: ${this.message}\n  in the worker: ${workerStack}`;
  }
}

interface Pending {
  resolve: (reply: WorkerReply) => void;
  reject: (error: Error) => void;
}

const CLOSE_TIMEOUT_MS = 10_000;

export class WorkerHandle {
  private readonly worker: Worker;
  private readonly pending: Pending[] = [];
  private failure: TrainingWorkerError | null = null;
  private exited = false;
  private closing = false;
  private readonly exit: Promise<void>;

  constructor(
    readonly rank: number,
    size: number,
    entry: WorkerEntry,
    private readonly onFailure: (error: TrainingWorkerError) => void,
  ) {
    const start: WorkerStart = { kind: TRAINING_WORKER_KIND, rank, size };
    this.worker = new Worker(entry.modulePath, { workerData: start, execArgv: entry.execArgv, stdout: false, stderr: false });
    this.worker.on('message', (reply: WorkerReply) => this.receive(reply));
    this.worker.on('error', (error: Error) => this.fail(new TrainingWorkerError(rank, error.message, false, error.stack)));
    this.exit = new Promise((resolve) => {
      this.worker.on('exit', (code) => {
        this.exited = true;
        const error = new TrainingWorkerError(rank, this.closing ? 'the worker was shut down' : `the worker thread exited (code ${code}) before it was shut down`);
        this.fail(error, !this.closing);
        resolve();
      });
    });
  }

  /** Sends a request; resolves with its reply, rejects with a TrainingWorkerError. */
  request(request: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.worker.postMessage(request, transfer);
    });
  }

  /** Asks the worker to dispose its model and end; terminates it if it does not end in time. */
  async close(): Promise<void> {
    if (this.exited) return;
    this.closing = true;
    if (!this.failure) {
      const ended = this.request({ type: 'close' }).then(() => this.exit, () => undefined);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CLOSE_TIMEOUT_MS)));
      const outcome = await Promise.race([ended, late]);
      clearTimeout(timer);
      if (outcome !== 'late' && this.exited) return;
    }
    await this.worker.terminate();
    await this.exit;
  }

  private receive(reply: WorkerReply): void {
    const waiting = this.pending.shift();
    if (!waiting) return;
    if (reply.type === 'error') waiting.reject(new TrainingWorkerError(this.rank, reply.message, reply.aborted, reply.stack));
    else waiting.resolve(reply);
  }

  private fail(error: TrainingWorkerError, report = true): void {
    this.failure ??= error;
    for (const waiting of this.pending.splice(0)) waiting.reject(error);
    if (report) this.onFailure(error);
  }
}
