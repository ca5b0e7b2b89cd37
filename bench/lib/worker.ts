/**
 * The benchmark of one TF.js backend, run in its own process so that backends cannot disturb
 * each other (thread pools, caches, registered kernels) and the process's peak memory is the
 * backend's.
 */
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../src/protocol/events';
import { selectBackend } from '../../src/trainer/backends';
import { loadNativeAddon } from '../../src/trainer/backends/native';
import { buildModel } from '../../src/trainer/model';
import { benchOptimizer, inferStep, syntheticBatch, timeLoop, trainStep } from './measure';
import { selectModels } from './models';
import type { BenchOptions } from './options';
import { profileStep } from './profile';
import type { BackendOutcome, BackendThreads, ModelRun } from './types';

export const WORKER_FLAG = '--bench-worker';
export const PROFILE_FLAG = '--bench-profile';

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

function backendDetail(name: BackendName, reportedThreads: number | undefined): { compute: number | null; detail: string } {
  if (name === 'native') {
    const info = loadNativeAddon().info();
    return { compute: info.maxThreads, detail: `oneDNN ${info.dnnlVersion}, OpenMP max threads ${info.maxThreads}` };
  }
  if (name === 'wasm') {
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
    return { compute: reportedThreads ?? 1, detail: `wasm binary: SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off'}` };
  }
  return { compute: reportedThreads ?? null, detail: '' };
}

async function benchModel(modelId: string, options: BenchOptions, profile: boolean): Promise<ModelRun> {
  const spec = selectModels([modelId])[0];
  const model = buildModel(spec.arch, { seed: options.seed });
  const optimizer = benchOptimizer();
  const batch = syntheticBatch(options.batchSize, spec.inputShape, spec.arch.numClasses, options.seed);
  try {
    const plan = { seconds: options.seconds, steps: options.steps, warmupSteps: options.warmupSteps, minSteps: 3 };
    const train = timeLoop(() => trainStep(model, optimizer, batch), options.batchSize, plan);
    const infer = timeLoop(() => inferStep(model, batch), options.batchSize, { ...plan, seconds: options.seconds / 2 });
    const run: ModelRun = { model: modelId, train: train.timing, infer: infer.timing, lastLoss: train.last, peakRssMb: peakRssMb() };
    if (profile) run.profile = await profileStep(() => trainStep(model, optimizer, batch));
    return run;
  } finally {
    batch.x.dispose();
    batch.y.dispose();
    optimizer.dispose();
    model.dispose();
  }
}

/** Starts `name` the way the trainer does and measures every selected model on it. */
export async function runBackend(name: BackendName, options: BenchOptions, profile: boolean): Promise<BackendOutcome> {
  const started = performance.now();
  let reportedThreads: number | undefined;
  try {
    const report = await selectBackend(name);
    reportedThreads = report.threads;
  } catch (error) {
    return { engine: 'tfjs', backend: name, ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const { compute, detail } = backendDetail(name, reportedThreads);
  const models: ModelRun[] = [];
  for (const spec of selectModels(options.models)) models.push(await benchModel(spec.id, options, profile));
  const threads: BackendThreads = { compute, process: processThreadCount() };
  return {
    engine: 'tfjs',
    backend: name,
    ok: true,
    threads,
    detail,
    peakRssMb: peakRssMb(),
    wallSeconds: (performance.now() - started) / 1000,
    models,
  };
}
