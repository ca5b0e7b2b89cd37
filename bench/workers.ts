/**
 * `npm run bench:workers`: ResNet-20 (standard style, 32×32×3, 10 classes, batch 128, Adam)
 * training throughput on the wasm backend, on the training thread alone (what `workers: 1`
 * does) and on 1 and 2 data-parallel worker threads, in one run so the ratios compare like with
 * like on a shared machine, and PyTorch training the same network in the same run (when Debian's
 * python3-torch is installed) for the ratio against it. Prints a table and writes
 * bench-results/workers.json.
 *
 * Usage: node dist/bench/workers.js [--steps N] [--warmup N] [--workers 1,2]
 *
 * The bundle is also the entry point of its own worker threads (maybeRunTrainingWorker).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { resnet20 } from '../src/core/arch/seeds';
import { CONFIG_DEFAULTS } from '../src/core/config/defaults';
import type { TrainingConfig } from '../src/core/config/types';
import { Rng } from '../src/core/rng';
import { activateBackend } from '../src/trainer/backends/activate';
import { toTensors, type HostBatch } from '../src/trainer/data/batches';
import { buildModel } from '../src/trainer/model';
import { ParallelStepper } from '../src/trainer/parallel/parallel-stepper';
import { maybeRunTrainingWorker } from '../src/trainer/parallel/worker-mode';
import { penalizedKernels } from '../src/trainer/session/model-state';
import { createOptimizer } from '../src/trainer/train/optimizer';
import { kernelPenalty, trainStep } from '../src/trainer/train/phase';
import { machineInfo } from './lib/machine';
import { benchAdamSettings } from './lib/measure';
import { selectModels } from './lib/models';
import { readOptions } from './lib/options';
import { runPytorch } from './lib/pytorch';
import type { PytorchOutcome } from './lib/types';

const BATCH = 128;
const CLASSES = 10;
const INPUT = { height: 32, width: 32, channels: 3 };

interface Measurement {
  /** 'thread' = the training thread itself (workers: 1); else the number of worker threads. */
  mode: 'thread' | number;
  imagesPerSecond: number;
  secondsPerStep: number;
  /**
   * CPU seconds per step of the whole process (all threads). On a busy shared machine the wall
   * time says little; if this stays near the training thread's, the work really is split, and
   * on idle cores the wall time drops accordingly.
   */
  cpuSecondsPerStep: number;
  /** Per worker, the mean seconds per step it waited for the other workers in collectives. */
  waitSecondsPerStep?: number[];
  steps: number;
  startSeconds: number;
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function log(text = ''): void {
  process.stdout.write(`${text}\n`);
}

function batches(count: number): HostBatch[] {
  const rng = new Rng(1, 'bench-workers');
  return Array.from({ length: count }, () => {
    const x = new Float32Array(BATCH * INPUT.height * INPUT.width * INPUT.channels);
    for (let i = 0; i < x.length; i++) x[i] = rng.next() * 2 - 1;
    const y = new Float32Array(BATCH * CLASSES);
    for (let n = 0; n < BATCH; n++) y[n * CLASSES + Math.floor(rng.next() * CLASSES)] = 1;
    return { x, y, count: BATCH, shape: [BATCH, INPUT.height, INPUT.width, INPUT.channels], numClasses: CLASSES };
  });
}

async function measure(mode: Measurement['mode'], training: TrainingConfig, data: HostBatch[], warmup: number, steps: number): Promise<Measurement> {
  const arch = resnet20(INPUT, CLASSES, 'standard');
  const model = buildModel(arch, { seed: 1, batchNormMomentum: training.batchNormMomentum });
  const optimizer = createOptimizer(training);
  const penalized = penalizedKernels(model, arch, false);
  const started = performance.now();
  const stepper = mode === 'thread' ? null : await ParallelStepper.start({ workers: mode, model, arch, training, l1OnlyOnInsertedLayers: false, morphnet: null, optimizerState: null });
  const startSeconds = (performance.now() - started) / 1000;
  let waited: number[] = [];
  const step = async (batch: HostBatch): Promise<void> => {
    if (stepper) {
      await stepper.step(batch, training.learningRate);
      waited = waited.length === 0 ? stepper.lastWaitedMs.slice() : waited.map((w, i) => w + stepper.lastWaitedMs[i]);
      return;
    }
    const tensors = toTensors(batch);
    trainStep(model, optimizer, tensors, () => kernelPenalty(penalized, training.l1, training.l2));
    tensors.x.dispose();
    tensors.y.dispose();
  };
  try {
    for (let i = 0; i < warmup; i++) await step(data[i % data.length]);
    waited = [];
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < steps; i++) await step(data[i % data.length]);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSecondsPerStep = (cpu.user + cpu.system) / 1e6 / steps;
    const waitSecondsPerStep = stepper ? waited.map((ms) => ms / 1000 / steps) : undefined;
    return { mode, imagesPerSecond: (steps * BATCH) / seconds, secondsPerStep: seconds / steps, cpuSecondsPerStep, waitSecondsPerStep, steps, startSeconds };
  } finally {
    await stepper?.close();
    optimizer.dispose();
    model.dispose();
  }
}

/** PyTorch training the same ResNet-20 with the same batch and Adam settings (bench/lib/pytorch.ts). */
async function measurePytorch(): Promise<PytorchOutcome> {
  const machine = machineInfo();
  const adam = benchAdamSettings();
  log(`  measuring PyTorch on the same ResNet-20 (${machine.cores} threads)…`);
  return runPytorch({ models: selectModels(['resnet20']), options: { ...readOptions(), batchSize: BATCH }, threads: machine.cores, adam });
}

async function main(): Promise<void> {
  const steps = Number(option('--steps', '8'));
  const warmup = Number(option('--warmup', '2'));
  const workerCounts = option('--workers', '1,2').split(',').map(Number);
  await activateBackend('wasm');
  const training: TrainingConfig = { ...CONFIG_DEFAULTS.training, batchSize: BATCH, optimizer: 'adam', learningRate: 1e-3 };
  const data = batches(3);
  log(`ResNet-20 (standard, 32×32×3, ${CLASSES} classes) training on wasm, batch ${BATCH}, Adam: ${warmup} warm-up + ${steps} timed steps each`);
  const results: Measurement[] = [];
  for (const mode of ['thread' as const, ...workerCounts]) {
    const m = await measure(mode, training, data, warmup, steps);
    results.push(m);
    const label = mode === 'thread' ? 'training thread (workers: 1)' : `${mode} worker thread${mode === 1 ? '' : 's'}`;
    const extra = m.waitSecondsPerStep ? `  (start ${m.startSeconds.toFixed(1)} s; waiting for each other per step: ${m.waitSecondsPerStep.map((s) => `${s.toFixed(2)} s`).join(', ')})` : '';
    log(`  ${label.padEnd(30)} ${m.imagesPerSecond.toFixed(1).padStart(7)} images/s  ${m.secondsPerStep.toFixed(2)} s/step  ${m.cpuSecondsPerStep.toFixed(2)} CPU s/step${extra}`);
  }
  const base = results[0].imagesPerSecond;
  const ratios = Object.fromEntries(results.slice(1).map((m) => [`workers${m.mode}`, m.imagesPerSecond / base]));
  for (const m of results.slice(1)) log(`  ${m.mode} worker${m.mode === 1 ? '' : 's'} / training thread: ${(m.imagesPerSecond / base).toFixed(2)}×`);
  // The scaling target compares with one worker: the same code path, so only the split differs.
  const one = results.find((m) => m.mode === 1);
  for (const m of results.filter((r) => typeof r.mode === 'number' && r.mode > 1 && one)) {
    ratios[`workers${m.mode}PerWorker1`] = m.imagesPerSecond / one!.imagesPerSecond;
    log(`  ${m.mode} workers / 1 worker: ${(m.imagesPerSecond / one!.imagesPerSecond).toFixed(2)}×`);
  }
  const pytorch = await measurePytorch();
  const versusPytorch = pytorch.ok
    ? Object.fromEntries(results.map((m) => [m.mode === 'thread' ? 'thread' : `workers${m.mode}`, m.imagesPerSecond / pytorch.models[0].train.imagesPerSecond]))
    : null;
  if (pytorch.ok && versusPytorch) {
    log(`  PyTorch ${pytorch.torchVersion} (${pytorch.threads} threads, ${pytorch.layout}): ${pytorch.models[0].train.imagesPerSecond.toFixed(1)} images/s`);
    for (const [mode, ratio] of Object.entries(versusPytorch)) log(`  ${mode} / PyTorch: ${ratio.toFixed(2)}×`);
  } else if (!pytorch.ok) {
    log(`  PyTorch not measured: ${pytorch.reason}`);
  }
  const out = path.resolve('bench-results', 'workers.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ timestamp: new Date().toISOString(), machine: machineInfo(), tfjs: tf.version_core, batch: BATCH, steps, warmup, results, ratios, pytorch, versusPytorch }, null, 2) + '\n');
  log(`written: ${path.relative(process.cwd(), out)}`);
  // TF.js backends can keep handles open after the work is done.
  process.exit(0);
}

if (!maybeRunTrainingWorker()) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  });
}
