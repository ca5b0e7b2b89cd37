/**
 * The loop of one data-parallel training worker: its own wasm backend, its own copy of the
 * model and optimizer, and a share of every batch.
 *
 * One step: forward and backward on the share with synchronised BN, the gradients summed over
 * all workers, and the same optimizer update on every worker, so the copies stay identical
 * without sending weights. The loss is the whole batch's: each worker weighs its cross-entropy
 * mean by its share of the batch, only worker 0 adds the MorphNet term, and every worker adds
 * the L1/L2 gradient (l1·sign w + 2·l2·w) to the sum itself, so the result is the gradient of the
 * loss one thread computes on the whole batch. The update runs on flat arrays in JavaScript
 * (flat-optimizer.ts), with the same rule and state as the thread's TF.js optimizer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initWasmBackend } from '../backends/wasm-init';
import { buildModel } from '../model/build';
import { setBatchStatisticsReducer } from '../model/fused-batch-norm';
import { trainableVariables } from '../model/variables';
import { loadModelWeights, modelWeights } from '../run/checkpoint';
import type { NamedArray } from '../run/tensor-bundle';
import { morphnetTerm, penalizedKernels } from '../session/model-state';
import { lossAndCorrect } from '../train/evaluate';
import { createFlatOptimizer, flatLength, segmentsOf, type FlatOptimizer, type FlatSegment } from '../train/flat-optimizer';
import { addPenaltyGradients, gradientBuffers, readValues, segmentsFor, type GradientBuffers } from './flat-gradients';
import type { LossTerm, PhaseOptions } from '../train/phase';
import { abortAllReduce, AllReduce, AllReduceAborted, type AllReduceMemory } from './all-reduce';
import type { PhaseSetup, ShardStep, StepReply, WorkerReply, WorkerRequest, WorkerStart } from './messages';
import { syncBatchStatistics } from './sync-batch-norm';

interface Phase {
  model: tf.LayersModel;
  variables: tf.Variable[];
  /** Where each variable lies in the flat arrays. */
  segments: FlatSegment[];
  /** The variables' values, kept in step with them: the optimizer updates these, then the variables. */
  params: Float32Array;
  optimizer: FlatOptimizer;
  /** The kernels under L1 and under L2, as segments. */
  l1: FlatSegment[];
  l2: FlatSegment[];
  training: PhaseSetup['training'];
  morphnet: LossTerm | null;
  reduce: AllReduce;
  memory: AllReduceMemory;
  buffers: GradientBuffers;
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
        return arraysReply(this.current().optimizer.state());
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
    const variables = trainableVariables(model);
    const segments = segmentsOf(variables);
    const optimizer = createFlatOptimizer(setup.training, segments);
    if (setup.optimizerState) optimizer.restore(setup.optimizerState);
    const penalized: PhaseOptions['penalized'] = penalizedKernels(model, setup.arch, setup.l1OnlyOnInsertedLayers);
    const reduce = new AllReduce(setup.memory, this.start.rank);
    setBatchStatisticsReducer(syncBatchStatistics((values) => reduce.sum(values), () => this.placeholder));
    this.phase = {
      model,
      variables,
      segments,
      params: readValues(variables, segments),
      optimizer,
      l1: segmentsFor(penalized.l1, variables, segments),
      l2: segmentsFor(penalized.l2, variables, segments),
      training: setup.training,
      morphnet: setup.morphnet ? morphnetTerm(model, setup.arch, setup.morphnet) : null,
      reduce,
      memory: setup.memory,
      buffers: gradientBuffers(flatLength(segments)),
    };
  }

  private step(shard: ShardStep): StepReply {
    const phase = this.current();
    const { model, variables, reduce } = phase;
    const withMorphnet = reduce.rank === 0 && phase.morphnet !== null;
    this.placeholder = shard.count === 0;
    const rows = Math.max(shard.count, 1);
    const waitedBefore = reduce.waitedMs;
    const x = this.placeholder ? tf.zeros([1, ...shard.imageShape]) : tf.tensor4d(shard.x, [rows, ...shard.imageShape]);
    const y = this.placeholder ? tf.zeros([1, shard.numClasses]) : tf.tensor2d(shard.y, [rows, shard.numClasses]);
    let kept: { loss: tf.Scalar; correct: tf.Scalar } | null = null;
    try {
      const { value, grads } = tf.variableGrads(() => {
        const probs = model.apply(x, { training: true }) as tf.Tensor;
        const parts = lossAndCorrect(probs, y);
        const share = parts.loss.mul(shard.count / shard.total) as tf.Scalar;
        kept = { loss: tf.keep(tf.clone(share)), correct: tf.keep(parts.correct) };
        return withMorphnet ? (share.add(phase.morphnet!.loss()) as tf.Scalar) : share;
      }, variables);
      value.dispose();
      this.applySummedGradients(phase, grads, shard.learningRate);
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

  /** Sums each variable's gradient over the workers, adds the L1/L2 terms, and updates every copy alike. */
  private applySummedGradients(phase: Phase, grads: tf.NamedTensorMap, learningRate: number): void {
    const { variables, segments, params, buffers } = phase;
    // Variables without a gradient are left out, as minimize leaves them out (same graph on every worker).
    const present = variables.map((v) => grads[v.name] !== undefined);
    variables.forEach((v, i) => {
      if (present[i]) buffers.flat.set(grads[v.name].dataSync(), segments[i].offset);
      else buffers.flat.fill(0, segments[i].offset, segments[i].offset + segments[i].size);
    });
    for (const name of Object.keys(grads)) grads[name].dispose();
    phase.reduce.sum(buffers.flat, buffers.summed);
    addPenaltyGradients(buffers.summed, params, phase.l1, phase.l2, phase.training);
    buffers.single.set(buffers.summed);
    phase.optimizer.step(params, buffers.single, learningRate, present);
    variables.forEach((v, i) => {
      if (!present[i]) return;
      const { offset, size } = segments[i];
      // A copy: some backends keep the array a tensor is made from.
      v.assign(tf.tensor(params.slice(offset, offset + size), v.shape, 'float32'));
    });
  }

  abort(): void {
    if (this.phase) abortAllReduce(this.phase.memory);
  }

  dispose(): void {
    if (!this.phase) return;
    setBatchStatisticsReducer(null);
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
