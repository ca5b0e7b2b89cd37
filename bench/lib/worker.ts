/**
 * One TF.js engine of the benchmark, in its own process so engines cannot disturb each other
 * (thread pools, caches, registered kernels) and the process's peak memory is the engine's.
 * The process lives for the whole benchmark and measures one round per request from the main
 * process, so start-up and model building are never inside a timed round.
 */
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { CONFIG_DEFAULTS } from '../../src/core/config/defaults';
import type { TrainingConfig } from '../../src/core/config/types';
import type { BackendName } from '../../src/protocol/events';
import { selectBackend } from '../../src/trainer/backends';
import { loadNativeAddon } from '../../src/trainer/backends/native';
import type { HostBatch } from '../../src/trainer/data/batches';
import { buildModel, foldForInference } from '../../src/trainer/model';
import { ParallelStepper } from '../../src/trainer/parallel/parallel-stepper';
import { benchOptimizer, inferStep, syntheticBatch, timeLoop, trainStep, type SyntheticBatch } from './measure';
import { selectModels } from './models';
import type { BenchOptions } from './options';
import type { PeakMeasurement } from './peak';
import { profileStep } from './profile';
import type { Mode } from './rounds';
import type { BackendThreads, EngineReply, EngineRequest, Timing } from './types';

export const WORKER_FLAG = '--bench-worker';
/** Data-parallel worker threads of the engine (wasm only); absent: the training thread alone. */
export const WORKERS_FLAG = '--bench-workers';

export function peakRssMb(): number {
  // maxRSS is in kilobytes.
  return process.resourceUsage().maxRSS / 1024;
}

export function processThreadCount(): number | null {
  try {
    const match = /^Threads:\s*(\d+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

function backendDetail(name: BackendName, reportedThreads: number | undefined, workers: number | null): { compute: number | null; detail: string } {
  if (name === 'native') {
    const info = loadNativeAddon().info();
    return { compute: info.maxThreads, detail: `oneDNN ${info.dnnlVersion}, OpenMP max threads ${info.maxThreads}` };
  }
  if (name === 'wasm') {
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
    const split = workers === null ? 'the training thread' : `${workers} data-parallel worker threads (workers: ${workers}), evaluation on the training thread`;
    return { compute: workers ?? reportedThreads ?? 1, detail: `wasm binary: SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off'}; training on ${split}` };
  }
  return { compute: reportedThreads ?? null, detail: '' };
}

/** A model kept for the whole benchmark: its training continues from round to round. */
interface Prepared {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  batch: SyntheticBatch;
  host: HostBatch;
  stepper: ParallelStepper | null;
  warmed: Set<Mode>;
  lastLoss: number;
}

function hostBatch(batch: SyntheticBatch, numClasses: number): HostBatch {
  const [n, h, w, c] = batch.x.shape;
  return { x: batch.x.dataSync() as Float32Array, y: batch.y.dataSync() as Float32Array, count: n, shape: [n, h, w, c], numClasses };
}

/** The trainer's settings for data-parallel training, without the L1/L2 terms (PyTorch trains without them too). */
function workerTraining(batchSize: number): TrainingConfig {
  return { ...CONFIG_DEFAULTS.training, batchSize, optimizer: 'adam', learningRate: 1e-3, l1: 0, l2: 0 };
}

class EngineServer {
  private readonly prepared = new Map<string, Prepared>();

  constructor(
    private readonly options: BenchOptions,
    private readonly workers: number | null,
  ) {}

  private async prepare(modelId: string): Promise<Prepared> {
    const known = this.prepared.get(modelId);
    if (known) return known;
    const spec = selectModels([modelId])[0];
    const model = buildModel(spec.arch, { seed: this.options.seed });
    const batch = syntheticBatch(this.options.batchSize, spec.inputShape, spec.arch.numClasses, this.options.seed);
    const stepper = this.workers === null ? null : await ParallelStepper.start({
      workers: this.workers, model, arch: spec.arch, training: workerTraining(this.options.batchSize),
      l1OnlyOnInsertedLayers: false, morphnet: null, optimizerState: null,
    });
    const prepared: Prepared = { model, optimizer: benchOptimizer(), batch, host: hostBatch(batch, spec.arch.numClasses), stepper, warmed: new Set(), lastLoss: NaN };
    this.prepared.set(modelId, prepared);
    return prepared;
  }

  private trainingStep(p: Prepared): () => Promise<void> | void {
    const stepper = p.stepper;
    if (stepper) return async () => {
      p.lastLoss = (await stepper.step(p.host, 1e-3)).loss;
    };
    return () => {
      p.lastLoss = trainStep(p.model, p.optimizer, p.batch);
    };
  }

  async round(modelId: string, mode: Mode): Promise<{ timing: Timing; lastLoss: number }> {
    const p = await this.prepare(modelId);
    // Folded once per round, as an evaluation folds once per pass over its split.
    const net = mode === 'infer' ? foldForInference(p.model) : null;
    const step = net ? () => inferStep(net, p.batch) : this.trainingStep(p);
    // The first round of a model and mode warms up untimed (kernel set-up, primitive creation, memory growth).
    const warmupSteps = p.warmed.has(mode) ? 0 : this.options.warmupSteps;
    p.warmed.add(mode);
    const { timing } = await timeLoop(step, this.options.batchSize, { seconds: mode === 'train' ? this.options.roundSeconds : this.options.roundSeconds / 2, steps: this.options.steps, warmupSteps, minSteps: 2 })
      .finally(() => net?.dispose());
    return { timing, lastLoss: p.lastLoss };
  }

  async profile(modelId: string): Promise<EngineReply> {
    const p = await this.prepare(modelId);
    return { type: 'profile', profile: await profileStep(() => trainStep(p.model, p.optimizer, p.batch)) };
  }

  async close(): Promise<void> {
    for (const p of this.prepared.values()) {
      await p.stepper?.close();
      p.batch.x.dispose();
      p.batch.y.dispose();
      p.optimizer.dispose();
      p.model.dispose();
    }
  }
}

/** n×n by n×n float32 products on the active backend, best of a few timed repeats. */
export function matmulPeak(size: number, seconds: number): number {
  const a = tf.randomNormal([size, size], 0, 1, 'float32', 1);
  const b = tf.randomNormal([size, size], 0, 1, 'float32', 2);
  const product = (): void => {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  };
  try {
    product();
    let best = 0;
    const until = performance.now() + seconds * 1000;
    do {
      const started = performance.now();
      product();
      best = Math.max(best, (2 * size ** 3) / ((performance.now() - started) / 1000) / 1e9);
    } while (performance.now() < until);
    return best;
  } finally {
    a.dispose();
    b.dispose();
  }
}

/** Serves the main process's requests over IPC until it asks to finish. */
export async function serveEngine(name: BackendName, workers: number | null, options: BenchOptions): Promise<void> {
  const send = (reply: EngineReply): Promise<void> => new Promise((resolve) => process.send!(reply, () => resolve()));
  let reportedThreads: number | undefined;
  try {
    reportedThreads = (await selectBackend(name)).threads;
  } catch (error) {
    await send({ type: 'failed', reason: error instanceof Error ? error.message : String(error) });
    process.exit(0);
  }
  const { compute, detail } = backendDetail(name, reportedThreads, workers);
  const server = new EngineServer(options, workers);
  // A main process that died leaves nobody to ask for 'finish'; its engines go with it.
  process.on('disconnect', () => process.exit(0));
  let queue = Promise.resolve();
  process.on('message', (message: EngineRequest) => {
    // One request at a time, in arrival order: a round must not share the CPU with another.
    queue = queue.then(async () => {
      try {
        if (message.type === 'round') {
          const { timing, lastLoss } = await server.round(message.model, message.mode);
          await send({ type: 'round', timing, lastLoss });
        } else if (message.type === 'peak') {
          const measurement: PeakMeasurement = { source: `tfjs ${name}`, size: message.size, gflops: matmulPeak(message.size, message.seconds), threads: compute ?? 1 };
          await send({ type: 'peak', measurement });
        } else if (message.type === 'profile') {
          await send(await server.profile(message.model));
        } else {
          const threads: BackendThreads = { compute, process: processThreadCount() };
          await server.close();
          // The Winograd primitives the addon built: the work count of this engine's rounds depends on them.
          const winogradConvs = name === 'native' ? loadNativeAddon().cacheSizes().winograd : 0;
          await send({ type: 'finished', threads, peakRssMb: peakRssMb(), winogradConvs });
          // oneDNN's OpenMP pool may keep the process alive.
          process.exit(0);
        }
      } catch (error) {
        await send({ type: 'failed', reason: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    });
  });
  await send({ type: 'ready', threads: compute, detail });
}
