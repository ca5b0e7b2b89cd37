/**
 * Data-parallel training of one phase on worker threads (the wasm backend's way to use more
 * than one core): every worker holds a copy of the model and trains on a share of each batch,
 * with BN statistics and gradients summed across workers, so one step on N workers gives the
 * weights one step on the whole batch gives (see worker.ts).
 *
 * The training thread keeps the batches coming: it splits each host batch, and prepares the
 * next one while the workers compute. Its own model gets the workers' weights whenever an
 * epoch's iteration ends (for evaluation and checkpoints); the optimizer's state lives in the
 * workers and is fetched for checkpoints.
 */
import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '../../core/arch/types';
import type { SearchConfig, TrainingConfig } from '../../core/config/types';
import type { HostBatch, TrainingBatchesState } from '../data/batches';
import { loadModelWeights, modelWeights } from '../run/checkpoint';
import type { NamedArray } from '../run/tensor-bundle';
import type { TrainingData } from '../train/evaluate';
import type { EpochStepper, StepFigures } from '../train/phase';
import { abortAllReduce, createAllReduceMemory, type AllReduceMemory } from './all-reduce';
import type { ShardStep, WorkerReply } from './messages';
import { shardArrays, shardRanges } from './shards';
import { defaultWorkerEntry, TrainingWorkerError, WorkerHandle, type WorkerEntry } from './worker-handle';

export interface ParallelStepperOptions {
  /** Worker threads (each gets 1/workers of every batch). */
  workers: number;
  /** The training thread's model: the workers start from its weights and hand theirs back to it. */
  model: tf.LayersModel;
  arch: Architecture;
  training: TrainingConfig;
  /** As penalizedKernels: L1 only on inserted convs. */
  l1OnlyOnInsertedLayers: boolean;
  /** The search settings when the phase adds the MorphNet term; null without it. */
  morphnet: SearchConfig | null;
  /** The optimizer state to continue from (a resumed phase); null for a fresh optimizer. */
  optimizerState: NamedArray[] | null;
  /** Where the worker threads start from; the default suits the trainer bundle and the TypeScript sources. */
  entry?: WorkerEntry;
}

/** Values one all-reduce must hold: all gradients at once, or one BN layer's packed statistics. */
function reduceCapacity(model: tf.LayersModel): number {
  let parameters = 0;
  for (const w of model.trainableWeights) parameters += w.shape.reduce<number>((n, d) => n * (d ?? 1), 1);
  let channels = 0;
  for (const w of model.weights) if (w.shape.length === 1) channels = Math.max(channels, w.shape[0] ?? 0);
  return Math.max(parameters, 3 * channels + 1, 1);
}

function hostBatch(batch: { x: tf.Tensor4D; y: tf.Tensor2D; count: number }): HostBatch {
  const [count, height, width, channels] = batch.x.shape;
  return { x: batch.x.dataSync() as Float32Array, y: batch.y.dataSync() as Float32Array, count, shape: [count, height, width, channels], numClasses: batch.y.shape[1] };
}

/** The epoch's host batches: trainHostEpoch where the data has it, else trainEpoch's tensors read back. */
function* hostBatches(data: TrainingData): Generator<HostBatch, void, undefined> {
  if (data.trainHostEpoch) {
    yield* data.trainHostEpoch();
    return;
  }
  for (const batch of data.trainEpoch()) {
    let host: HostBatch;
    try {
      host = hostBatch(batch);
    } finally {
      batch.x.dispose();
      batch.y.dispose();
    }
    yield host;
  }
}

export class ParallelStepper implements EpochStepper {
  private failure: TrainingWorkerError | null = null;
  private closed = false;
  /** Per worker, the milliseconds it waited for the others in the last step (for benchmarks). */
  lastWaitedMs: number[] = [];

  private constructor(
    private readonly model: tf.LayersModel,
    private readonly memory: AllReduceMemory,
    private readonly handles: WorkerHandle[],
  ) {}

  /** Starts the workers and hands them the model; resolves once every worker is ready to train. */
  static async start(options: ParallelStepperOptions): Promise<ParallelStepper> {
    const { workers, model } = options;
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
    const memory = createAllReduceMemory(workers, reduceCapacity(model));
    const entry = options.entry ?? defaultWorkerEntry();
    const handles: WorkerHandle[] = [];
    // A failing worker must release the others from any collective they wait in.
    const onFailure = (): void => abortAllReduce(memory);
    for (let rank = 0; rank < workers; rank++) handles.push(new WorkerHandle(rank, workers, entry, onFailure));
    const stepper = new ParallelStepper(model, memory, handles);
    const weights = modelWeights(model);
    const setup = {
      arch: options.arch,
      weights,
      optimizerState: options.optimizerState,
      training: options.training,
      l1OnlyOnInsertedLayers: options.l1OnlyOnInsertedLayers,
      morphnet: options.morphnet,
      memory,
    };
    try {
      await stepper.all(handles.map((h) => h.request({ type: 'setup', setup })));
    } catch (error) {
      await stepper.close();
      throw error;
    }
    return stepper;
  }

  get workers(): number {
    return this.handles.length;
  }

  private checkUsable(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error('the parallel stepper was closed');
  }

  /** One optimizer step on a batch, split over the workers. */
  async step(batch: HostBatch, learningRate: number): Promise<StepFigures> {
    this.checkUsable();
    const [, height, width, channels] = batch.shape;
    const ranges = shardRanges(batch.count, this.handles.length);
    const replies = await this.all(
      this.handles.map((handle, rank) => {
        const { x, y } = shardArrays(batch, ranges[rank]);
        const step: ShardStep = { x, y, count: ranges[rank].count, total: batch.count, imageShape: [height, width, channels], numClasses: batch.numClasses, learningRate };
        return handle.request({ type: 'step', step }, [x.buffer as ArrayBuffer, y.buffer as ArrayBuffer]);
      }),
    );
    let loss = 0;
    let correct = 0;
    const waited: number[] = [];
    for (const reply of replies) {
      if (reply.type !== 'step') throw new Error(`a training worker answered a step with "${reply.type}"`);
      loss += reply.result.loss;
      correct += reply.result.correct;
      waited.push(reply.result.waitedMs);
    }
    this.lastWaitedMs = waited;
    return { loss, correct, count: batch.count };
  }

  /**
   * Trains the rest of the epoch under way. The next batch is prepared while the workers compute
   * the current one; when the caller stops early, the data is set back to right after the last
   * batch trained, and the training thread's model gets the workers' weights.
   */
  async *epoch(data: TrainingData, learningRate: number): AsyncGenerator<StepFigures, void, undefined> {
    const batches = hostBatches(data);
    // The data's position after the last trained batch, while a later batch has already been taken.
    let rewindTo: TrainingBatchesState | null = null;
    let failed = false;
    try {
      let next = batches.next();
      while (!next.done) {
        const pending = this.step(next.value, learningRate);
        pending.catch(() => undefined); // awaited below; this only keeps it from counting as unhandled meanwhile
        const after = data.getState();
        next = batches.next();
        let figures: StepFigures;
        try {
          figures = await pending;
        } catch (error) {
          failed = true;
          throw error;
        }
        rewindTo = next.done ? null : after;
        yield figures;
      }
      rewindTo = null;
    } finally {
      batches.return();
      if (rewindTo) data.setState(rewindTo);
      if (!failed) await this.syncModel();
    }
  }

  /** Copies worker 0's weights (identical on every worker) into the training thread's model. */
  async syncModel(): Promise<void> {
    this.checkUsable();
    const [reply] = await this.all([this.handles[0].request({ type: 'weights' })]);
    if (reply.type !== 'arrays') throw new Error(`a training worker answered a weights request with "${reply.type}"`);
    loadModelWeights(this.model, reply.arrays, 'training worker 0');
  }

  /** The optimizer's state (identical on every worker), as saveOptimizerState gives it, for a checkpoint. */
  async optimizerState(): Promise<NamedArray[]> {
    this.checkUsable();
    const [reply] = await this.all([this.handles[0].request({ type: 'optimizer-state' })]);
    if (reply.type !== 'arrays') throw new Error(`a training worker answered an optimizer-state request with "${reply.type}"`);
    return reply.arrays;
  }

  /** Ends the workers (they dispose their models first); safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.failure) abortAllReduce(this.memory);
    await Promise.all(this.handles.map((h) => h.close()));
  }

  /**
   * Waits for one request per worker. On a failure the others are released from their
   * collectives, and the error reported is the worker's own failure rather than the others'
   * "abandoned" errors; the stepper cannot train after that.
   */
  private async all(requests: Promise<WorkerReply>[]): Promise<WorkerReply[]> {
    const settled = await Promise.allSettled(
      requests.map((r) =>
        r.catch((error: unknown) => {
          abortAllReduce(this.memory);
          throw error;
        }),
      ),
    );
    const errors = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as Error);
    if (errors.length > 0) {
      const cause = errors.find((e) => !(e instanceof TrainingWorkerError && e.aborted)) ?? errors[0];
      this.failure = cause instanceof TrainingWorkerError ? cause : new TrainingWorkerError(-1, cause.message);
      throw this.failure;
    }
    return settled.map((s) => (s as PromiseFulfilledResult<WorkerReply>).value);
  }
}
