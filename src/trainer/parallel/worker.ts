/**
 * The loop of one data-parallel training worker: its own wasm backend, its own copy of the
 * model and optimizer, and a share of every batch.
 *
 * One step: forward and backward on the share with synchronised BN, the gradients summed over
 * all workers, and the same optimizer update on every worker, so the copies stay identical
 * without sending weights. The loss is the whole batch's: each worker weighs its cross-entropy
 * mean by its share of the batch, and only worker 0 adds the penalty terms (L1/L2 and MorphNet),
 * so the summed gradient is the gradient of the loss one thread computes on the whole batch.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initWasmBackend } from '../backends/wasm-init';
import { buildModel } from '../model/build';
import { setBatchStatisticsReducer } from '../model/fused-batch-norm';
import { loadModelWeights, modelWeights } from '../run/checkpoint';
import type { NamedArray } from '../run/tensor-bundle';
import { morphnetTerm, penalizedKernels } from '../session/model-state';
import { lossAndCorrect } from '../train/evaluate';
import { createOptimizer, restoreOptimizerState, saveOptimizerState, setLearningRate } from '../train/optimizer';
import { kernelPenalty, type LossTerm, type PhaseOptions } from '../train/phase';
import { abortAllReduce, AllReduce, AllReduceAborted, type AllReduceMemory } from './all-reduce';
import type { PhaseSetup, ShardStep, StepReply, WorkerReply, WorkerRequest, WorkerStart } from './messages';
import { syncBatchStatistics } from './sync-batch-norm';

interface Phase {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  variables: tf.Variable[];
  penalized: PhaseOptions['penalized'];
  training: PhaseSetup['training'];
  morphnet: LossTerm | null;
  reduce: AllReduce;
  memory: AllReduceMemory;
}

class TrainingWorker {
  private phase: Phase | null = null;
  /** Whether the current step's input stands in for an empty share. */
  private placeholder = false;

  constructor(private readonly start: WorkerStart) {}

  async handle(request: WorkerRequest): Promise<{ reply: WorkerReply; transfer?: ArrayBuffer[] }> {
    switch (request.type) {
      case 'setup':
        await this.setup(request.setup);
        return { reply: { type: 'ready' } };
      case 'step':
        return { reply: { type: 'step', result: this.step(request.step) } };
      case 'weights':
        return arraysReply(modelWeights(this.current().model));
      case 'optimizer-state':
        return arraysReply(await saveOptimizerState(this.current().optimizer));
      case 'close':
        this.dispose();
        return { reply: { type: 'done' } };
    }
  }

  private current(): Phase {
    if (!this.phase) throw new Error(`training worker ${this.start.rank} got a request before its phase setup`);
    return this.phase;
  }

  private async setup(setup: PhaseSetup): Promise<void> {
    this.dispose();
    const model = buildModel(setup.arch, { seed: 0, batchNormMomentum: setup.training.batchNormMomentum });
    loadModelWeights(model, setup.weights, 'the training thread');
    const optimizer = createOptimizer(setup.training);
    if (setup.optimizerState) await restoreOptimizerState(optimizer, setup.optimizerState);
    const reduce = new AllReduce(setup.memory, this.start.rank);
    setBatchStatisticsReducer(syncBatchStatistics((values) => reduce.sum(values), () => this.placeholder));
    this.phase = {
      model,
      optimizer,
      variables: model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val),
      penalized: penalizedKernels(model, setup.arch, setup.l1OnlyOnInsertedLayers),
      training: setup.training,
      morphnet: setup.morphnet ? morphnetTerm(model, setup.arch, setup.morphnet) : null,
      reduce,
      memory: setup.memory,
    };
  }

  private step(shard: ShardStep): StepReply {
    const phase = this.current();
    const { model, optimizer, variables, training, reduce } = phase;
    const withPenalties = reduce.rank === 0;
    this.placeholder = shard.count === 0;
    const rows = Math.max(shard.count, 1);
    const waitedBefore = reduce.waitedMs;
    setLearningRate(optimizer, shard.learningRate);
    const x = this.placeholder ? tf.zeros([1, ...shard.imageShape]) : tf.tensor4d(shard.x, [rows, ...shard.imageShape]);
    const y = this.placeholder ? tf.zeros([1, shard.numClasses]) : tf.tensor2d(shard.y, [rows, shard.numClasses]);
    let kept: { loss: tf.Scalar; correct: tf.Scalar } | null = null;
    try {
      const { value, grads } = tf.variableGrads(() => {
        const probs = model.apply(x, { training: true }) as tf.Tensor;
        const parts = lossAndCorrect(probs, y);
        const share = parts.loss.mul(shard.count / shard.total) as tf.Scalar;
        kept = { loss: tf.keep(tf.clone(share)), correct: tf.keep(parts.correct) };
        if (!withPenalties) return share;
        const penalty = kernelPenalty(phase.penalized, training.l1, training.l2);
        return share.add(phase.morphnet ? penalty.add(phase.morphnet.loss()) : penalty) as tf.Scalar;
      }, variables);
      value.dispose();
      this.applySummedGradients(phase, grads);
      const { loss, correct } = kept as unknown as { loss: tf.Scalar; correct: tf.Scalar };
      return { loss: loss.dataSync()[0], correct: this.placeholder ? 0 : correct.dataSync()[0], waitedMs: reduce.waitedMs - waitedBefore };
    } finally {
      x.dispose();
      y.dispose();
      const left = kept as { loss: tf.Scalar; correct: tf.Scalar } | null;
      left?.loss.dispose();
      left?.correct.dispose();
      this.placeholder = false;
    }
  }

  /** Sums each variable's gradient over the workers and applies it, in the order `minimize` would. */
  private applySummedGradients(phase: Phase, grads: tf.NamedTensorMap): void {
    // Variables without a gradient are left out, as minimize leaves them out (same graph on every worker).
    const present = phase.variables.filter((v) => grads[v.name] !== undefined);
    const flat = new Float64Array(present.reduce((n, v) => n + v.size, 0));
    let offset = 0;
    for (const v of present) {
      flat.set(grads[v.name].dataSync(), offset);
      offset += v.size;
    }
    for (const name of Object.keys(grads)) grads[name].dispose();
    const summed = phase.reduce.sum(flat);
    offset = 0;
    const named = present.map((v) => {
      const tensor = tf.tensor(Float32Array.from(summed.subarray(offset, offset + v.size)), v.shape, 'float32');
      offset += v.size;
      return { name: v.name, tensor };
    });
    try {
      phase.optimizer.applyGradients(named);
    } finally {
      for (const g of named) g.tensor.dispose();
    }
  }

  abort(): void {
    if (this.phase) abortAllReduce(this.phase.memory);
  }

  dispose(): void {
    if (!this.phase) return;
    setBatchStatisticsReducer(null);
    this.phase.optimizer.dispose();
    this.phase.model.dispose();
    this.phase = null;
  }
}

function arraysReply(arrays: NamedArray[]): { reply: WorkerReply; transfer: ArrayBuffer[] } {
  return { reply: { type: 'arrays', arrays }, transfer: arrays.map((a) => a.data.buffer as ArrayBuffer) };
}

/** Runs the worker loop on this thread (started with a WorkerStart as workerData). */
export async function runTrainingWorker(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('runTrainingWorker runs in a worker thread only');
  const worker = new TrainingWorker(workerData as WorkerStart);
  const ready = initWasmBackend();
  ready.catch(() => undefined); // reported with the first request
  // Requests are handled one at a time, in order; a step blocks this thread in its collectives.
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    queue = queue
      .then(() => ready)
      .then(() => worker.handle(request))
      .then(
        ({ reply, transfer }) => port.postMessage(reply, transfer ?? []),
        (error: unknown) => {
          const aborted = error instanceof AllReduceAborted;
          // The other workers may be waiting for this one in a collective: release them.
          if (!aborted) worker.abort();
          const e = error instanceof Error ? error : new Error(String(error));
          port.postMessage({ type: 'error', message: e.message, stack: e.stack, aborted } satisfies WorkerReply);
        },
      )
      .then(() => {
        if (request.type === 'close') port.close();
      });
  });
}
