/**
 * `npm run bench:engine`: training and inference throughput of the project's TF.js models on
 * every available backend, and of the same networks in PyTorch, in one run. Prints tables and
 * writes bench-results/engine.json. See docs/benchmarks.md for how to read the figures.
 *
 * The same bundle is started three ways: as the backend probe child that backend selection
 * forks (PROBE_FLAG), as the worker that measures one backend (WORKER_FLAG), and as the main
 * process that runs the workers and PyTorch one after another and reports.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BACKEND_ORDER, maybeRunProbe, selectBackend } from '../src/trainer/backends';
import { BackendNameSchema, type BackendName, type BackendReport } from '../src/protocol/events';
import { benchInChild } from './lib/fork-worker';
import { machineInfo } from './lib/machine';
import { benchAdamSettings } from './lib/measure';
import { selectModels } from './lib/models';
import { readOptions } from './lib/options';
import { runPytorch } from './lib/pytorch';
import { modelsTable, profileTable, resultRows, resultsTable, TRAIN_FLOPS_FACTOR, unavailableLines } from './lib/report';
import type { BackendOutcome, WorkerMessage } from './lib/types';
import { PROFILE_FLAG, runBackend, WORKER_FLAG } from './lib/worker';

function log(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** The commit, and the files under src/, native/ and bench/ that differ from it (the bundle measures the working tree). */
function gitState(): { commit: string | null; uncommitted: string[] } {
  const git = (args: string[]): string => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const commit = git(['rev-parse', '--short', 'HEAD']).trim();
    const uncommitted = git(['status', '--porcelain', '--', 'src', 'native/src', 'bench']).split('\n').filter((l) => l.trim() !== '').map((l) => l.slice(3));
    return { commit, uncommitted };
  } catch {
    return { commit: null, uncommitted: [] };
  }
}

async function worker(backendArg: string): Promise<void> {
  const backend = BackendNameSchema.parse(backendArg);
  const outcome = await runBackend(backend, readOptions(), process.argv.includes(PROFILE_FLAG));
  const message: WorkerMessage = { type: 'resbuilder-bench-result', outcome };
  // oneDNN's OpenMP pool may keep the process alive; leave once the parent has the result.
  process.send!(message, () => process.exit(0));
}

/** Backends to measure: the ones BENCH_BACKENDS names, else every one auto-selection did not rule out (cpu is too slow to train on). */
function backendsToRun(requested: BackendName[] | null, selection: BackendReport | null): BackendName[] {
  if (requested !== null) return requested;
  const ruledOut = new Set(selection?.skipped.map((s) => s.name) ?? []);
  return BACKEND_ORDER.filter((name) => name !== 'cpu' && !ruledOut.has(name));
}

async function main(): Promise<void> {
  const started = performance.now();
  const options = readOptions();
  const machine = machineInfo();
  const models = selectModels(options.models);
  log(`ResBuilder Studio engine benchmark — ${new Date().toISOString()}`);
  log(`CPU: ${machine.cpuModel}, ${machine.cores} cores × ${machine.threadsPerCore} thread(s), ${machine.memoryGb} GB; Node ${machine.node}; load average ${machine.loadAverage.join(' ')}`);
  log(`Peak: ${machine.peak.derivation}.`);
  log(`Batch ${options.batchSize}, ${options.warmupSteps} warm-up step${options.warmupSteps === 1 ? "" : "s"}, then ${options.steps !== null ? `${options.steps} steps` : `~${options.seconds} s training + ~${options.seconds / 2} s inference`} per model (BENCH_SECONDS, BENCH_STEPS).`);
  log();
  log(modelsTable(models));
  log();

  let selection: BackendReport | null = null;
  try {
    selection = await selectBackend('auto');
    log(`Backend selection (auto): ${selection.name}`);
  } catch (error) {
    log(`Backend selection (auto) failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const line of unavailableLines(selection, [])) log(line);

  const backends = backendsToRun(options.backends, selection);
  const profiled = selection !== null && backends.includes(selection.name) ? selection.name : backends[0];
  const tfjs: BackendOutcome[] = [];
  for (const backend of backends) {
    log(`Measuring TF.js ${backend} in its own process…`);
    const outcome = await benchInChild(__filename, backend, backend === profiled);
    tfjs.push(outcome);
    if (!outcome.ok) log(`  ${backend} failed: ${outcome.reason}`);
  }

  const adam = benchAdamSettings();
  log(`Measuring PyTorch (${machine.cores} threads)…`);
  const pytorch = await runPytorch({ models, options, threads: machine.cores, adam });
  if (!pytorch.ok) log(`  PyTorch: ${pytorch.reason}; continuing without it.`);

  const rows = resultRows(models, tfjs, pytorch, machine);
  log();
  log(`Throughput (images/s, batch ${options.batchSize}); GFLOP/s = img/s × forward FLOPs (× ${TRAIN_FLOPS_FACTOR} for training); % peak of the nominal ${machine.peak.gflops.toFixed(0)} GFLOP/s:`);
  log(resultsTable(rows));
  if (pytorch.ok) {
    log(`PyTorch ${pytorch.torchVersion}: ${pytorch.threads} threads, layout ${pytorch.layout} (faster in a short trial: ${JSON.stringify(pytorch.layoutTrial, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v) : v))} img/s), mkldnn ${pytorch.mkldnn ? 'on' : 'off'}.`);
    for (const m of pytorch.models) {
      const tf = models.find((x) => x.id === m.model);
      if (tf && tf.params !== m.params) log(`  WARNING: ${m.model} has ${m.params} parameters in PyTorch but ${tf.params} in TF.js; the networks differ.`);
    }
  }
  for (const o of tfjs) {
    if (o.ok) log(`TF.js ${o.backend}: ${o.detail ? `${o.detail}; ` : ''}compute threads ${o.threads.compute ?? '?'}, process threads ${o.threads.process ?? '?'}, peak RSS ${o.peakRssMb.toFixed(0)} MB.`);
  }
  const lines = unavailableLines(selection, tfjs);
  if (lines.length > 0) {
    log('Not measured:');
    for (const line of lines) log(line);
  }
  for (const o of tfjs) {
    if (!o.ok) continue;
    for (const m of o.models) {
      if (!m.profile) continue;
      log();
      log(`Top kernels of one training step, ${m.model} on ${o.backend} (tf.profile; kernels ${m.profile.kernelMs.toFixed(0)} ms of ${m.profile.wallMs.toFixed(0)} ms wall, ${m.profile.kernelCalls} kernel calls):`);
      log(profileTable(m.profile));
    }
  }

  const outFile = path.resolve(options.outFile);
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, `${JSON.stringify({
    timestamp: new Date().toISOString(),
    git: gitState(),
    machine,
    options,
    notes: [
      `training FLOPs = ${TRAIN_FLOPS_FACTOR} × forward FLOPs (MorphNet convention, 2·MAC per conv/dense layer)`,
      'the machine is shared: absolute figures are noisy, ratios from the same run are what counts',
      'peakRssMb of a model is the process peak up to the end of that model (monotonic within a process)',
    ],
    models: models.map((m) => ({ id: m.id, description: m.description, inputShape: m.inputShape, forwardFlops: m.forwardFlops, params: m.params })),
    backendSelection: selection,
    tfjs,
    pytorch,
    rows,
    wallSeconds: (performance.now() - started) / 1000,
  }, null, 2)}\n`);
  log();
  log(`Wrote ${path.relative(process.cwd(), outFile)} (${((performance.now() - started) / 1000).toFixed(0)} s in all).`);
}

async function entry(): Promise<void> {
  if (await maybeRunProbe(process.argv)) return;
  const workerArg = process.argv.find((a) => a.startsWith(`${WORKER_FLAG}=`));
  if (workerArg !== undefined) return worker(workerArg.slice(WORKER_FLAG.length + 1));
  await main();
  // The native backend's thread pool in this process may keep it alive.
  process.exit(0);
}

entry().catch((error: unknown) => {
  process.stderr.write(`bench:engine failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
