/**
 * `npm run bench:engine`: training and inference throughput of the project's TF.js models on
 * every available backend (wasm also with its two data-parallel workers), against the same
 * networks in PyTorch. The engines run in long-lived processes and take turns in short timed
 * rounds, TF.js and PyTorch alternating, so a neighbour's load lands on both sides; the report
 * gives each ratio's median and its spread over the rounds. Prints tables and writes
 * bench-results/engine.json. See docs/benchmarks.md for how to read the figures.
 *
 * The same bundle is started four ways: as the backend probe child that backend selection
 * forks, as a data-parallel training worker thread, as the process of one TF.js engine
 * (WORKER_FLAG), and as the main process that schedules the rounds and reports.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BACKEND_ORDER, maybeRunProbe, selectBackend } from '../src/trainer/backends';
import { maybeRunTrainingWorker } from '../src/trainer/parallel/worker-mode';
import { BackendNameSchema, type BackendName, type BackendReport } from '../src/protocol/events';
import { EngineProcess } from './lib/fork-worker';
import { machineInfo } from './lib/machine';
import { benchAdamSettings } from './lib/measure';
import { selectModels } from './lib/models';
import { readOptions } from './lib/options';
import { measuredPeak, NATIVE_WINOGRAD, overPeakNotes, WASM_WINOGRAD, type EngineWinograd, type MeasuredPeak, type PeakMeasurement } from './lib/peak';
import { PytorchServer, type PytorchSetup } from './lib/pytorch';
import { markdownTable, modelsTable, profileTable, resultRows, resultsTable, unavailableLines, type ResultRow } from './lib/report';
import { chooseLayout, layoutProbeSchedule, PYTORCH, roundSchedule, summarizeRounds, type Layout, type MeasuredRound, type Round, type TfjsEngine } from './lib/rounds';
import type { BackendThreads, StepProfile, Timing } from './lib/types';
import { serveEngine, WORKER_FLAG, WORKERS_FLAG } from './lib/worker';

/** Matrix size of the peak measurement: 2·1024³ FLOPs a product, large enough to run at the FMA units' pace. */
const PEAK_SIZE = 1024;
const PEAK_SECONDS = 1.5;
/** Probe rounds per layout, model and mode (short: the probe only has to rank two layouts). */
const LAYOUT_TRIALS = 2;

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

/** Backends to measure: the ones BENCH_BACKENDS names, else every one auto-selection did not rule out (cpu is too slow to train on). */
function backendsToRun(requested: BackendName[] | null, selection: BackendReport | null): BackendName[] {
  if (requested !== null) return requested;
  const ruledOut = new Set(selection?.skipped.map((s) => s.name) ?? []);
  return BACKEND_ORDER.filter((name) => name !== 'cpu' && !ruledOut.has(name));
}

/** The TF.js engines: each backend in its own process, and wasm once more with two data-parallel workers where there are two cores (what `workers: auto` trains with). */
function engineList(backends: BackendName[], cores: number): { id: string; backend: BackendName; workers: number | null; engine: TfjsEngine }[] {
  const list: { id: string; backend: BackendName; workers: number | null; engine: TfjsEngine }[] = [];
  for (const backend of backends) {
    list.push({ id: backend, backend, workers: null, engine: { id: backend, modes: ['train', 'infer'] } });
    if (backend === 'wasm' && cores >= 2) list.push({ id: 'wasm-2workers', backend, workers: 2, engine: { id: 'wasm-2workers', modes: ['train'] } });
  }
  return list;
}

interface RoundRecord extends MeasuredRound {
  timing: Timing;
  lastLoss: number;
}

/** The results table, with the notes on figures above the peak and on how far the ratios moved. */
function printRatios(rows: ResultRow[], batchSize: number, rounds: number): void {
  log(`Throughput (images/s, batch ${batchSize}, median over ${rounds} rounds). "× torch" is the median of per-round ratios, each TF.js round against the PyTorch rounds just before and after it; "rounds min–max" is the range of those ratios (of img/s for PyTorch); "moved" is half that range over the median; "per CPU-s" is the same ratio in images per CPU-second of each side, median (min–max):`);
  log(resultsTable(rows));
  const over = rows.filter((r) => r.peakFraction !== null && r.peakFraction > 1).map((r) => ({ label: `${r.engine} ${r.model} ${r.mode}`, fraction: r.peakFraction! }));
  for (const line of overPeakNotes(over)) log(line);
  const ratios = rows.filter((r) => r.vsPytorch !== null);
  if (ratios.length > 0) {
    const worst = ratios.reduce((a, b) => (b.vsPytorch!.relativeRange > a.vsPytorch!.relativeRange ? b : a));
    log(`Across rounds the ratios moved by at most ±${((worst.vsPytorch!.relativeRange / 2) * 100).toFixed(0)}% around their median (${worst.engine} ${worst.model} ${worst.mode}: ${worst.ratios.map((v) => v.toFixed(2)).join(', ')}).`);
  }
}

/**
 * The Winograd each engine ran, by mode: the native backend's when its addon says it built
 * Winograd primitives (oneDNN has them on AVX-512 CPUs only), the wasm backend's own always (it
 * registers them whatever the CPU).
 */
function winogradByEngine(engines: readonly { id: string; backend?: string; winogradConvs?: number }[]): Map<string, EngineWinograd> {
  const byEngine = new Map<string, EngineWinograd>();
  for (const e of engines) {
    if (e.backend === 'native' && (e.winogradConvs ?? 0) > 0) byEngine.set(e.id, { train: NATIVE_WINOGRAD, infer: NATIVE_WINOGRAD });
    if (e.backend === 'wasm') byEngine.set(e.id, { train: WASM_WINOGRAD, infer: WASM_WINOGRAD });
  }
  return byEngine;
}

function winogradNote(byEngine: ReadonlyMap<string, EngineWinograd>): string {
  const ran = [...byEngine].map(([id, w]) => `${id} (${(['train', 'infer'] as const).filter((m) => w[m] !== undefined)
    .map((m) => `${m} F(${w[m]!.outputTile}×${w[m]!.outputTile}, 3×3)`).join(', ')})`);
  return `Winograd convolutions are counted at their own multiply-adds ((m + 2)² per m×m output tile and channel pair instead of 9·m²), the tile transforms left out: ${ran.join(', ') || 'none ran here'}.`;
}

/** BENCH_REPORT_FROM=<engine.json>: the tables of a saved run again, summarised by this version of the report code. */
function reportFrom(file: string): void {
  const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    timestamp: string; options: { batchSize: number; rounds: number }; models: { id: string }[];
    rounds: MeasuredRound[]; peak: MeasuredPeak | null; pytorch: { layouts?: Record<string, Layout> };
    engines?: { id: string; backend?: string; winogradConvs?: number }[];
  };
  log(`Engine benchmark of ${saved.timestamp}, from ${file}:`);
  const models = selectModels(saved.models.map((m) => m.id));
  const rows = resultRows(models, summarizeRounds(saved.rounds), saved.peak, new Map(Object.entries(saved.pytorch.layouts ?? {})), winogradByEngine(saved.engines ?? []));
  printRatios(rows, saved.options.batchSize, saved.options.rounds);
  log();
  log(markdownTable(rows));
}

async function main(): Promise<void> {
  const started = performance.now();
  if (process.env.BENCH_REPORT_FROM) return reportFrom(process.env.BENCH_REPORT_FROM);
  const options = readOptions();
  const machine = machineInfo();
  const models = selectModels(options.models);
  log(`ResBuilder Studio engine benchmark — ${new Date().toISOString()}`);
  log(`CPU: ${machine.cpuModel}, ${machine.cores} cores × ${machine.threadsPerCore} thread(s), ${machine.memoryGb} GB; Node ${machine.node}; load average ${machine.loadAverage.join(' ')}`);
  log(`Batch ${options.batchSize}; ${options.rounds} timed rounds per engine, model and mode, TF.js and PyTorch alternating; a round is ${options.steps !== null ? `${options.steps} steps` : `~${options.roundSeconds} s of training or ~${options.roundSeconds / 2} s of inference`} (BENCH_ROUNDS, BENCH_ROUND_SECONDS, BENCH_STEPS); ${options.warmupSteps} untimed warm-up step${options.warmupSteps === 1 ? '' : 's'} before an engine's first round of a model and mode.`);
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

  const failed: { id: string; reason: string }[] = [];
  const listed = engineList(backendsToRun(options.backends, selection), machine.cores);
  log(`Starting ${listed.map((e) => e.id).join(', ')} and PyTorch, each in its own long-lived process…`);
  const children = listed.map((e) => ({ ...e, process: new EngineProcess(__filename, e.id, e.backend, e.workers) }));
  const adam = benchAdamSettings();
  const torchStart = await PytorchServer.start({ models, options, threads: machine.cores, adam });
  const engines: (typeof children[number] & { threads: number | null; detail: string })[] = [];
  for (const child of children) {
    const ready = await child.process.started;
    if (ready.type === 'ready') engines.push({ ...child, threads: ready.threads, detail: ready.detail });
    else failed.push({ id: child.id, reason: ready.type === 'failed' ? ready.reason : `unexpected first message ${ready.type}` });
  }
  const torch = 'server' in torchStart ? torchStart.server : null;
  const torchSetup: PytorchSetup | null = 'server' in torchStart ? torchStart.setup : null;
  if (!torch) log(`  PyTorch: ${'reason' in torchStart ? torchStart.reason : ''}; the table has no ratios.`);
  const byId = new Map(engines.map((e) => [e.id, e]));

  const measurePeaks = async (): Promise<PeakMeasurement[]> => {
    const found: PeakMeasurement[] = [];
    for (const e of engines.filter((x) => x.backend === 'native')) {
      const reply = await e.process.request({ type: 'peak', size: PEAK_SIZE, seconds: PEAK_SECONDS });
      if (reply.type === 'peak') found.push(reply.measurement);
    }
    if (torch) {
      const reply = await torch.request({ op: 'peak', size: PEAK_SIZE, seconds: PEAK_SECONDS });
      if (reply.ok) found.push({ source: `pytorch ${String(reply.how)}`, size: PEAK_SIZE, gflops: reply.gflops as number, threads: reply.threads as number });
    }
    return found;
  };
  const peakMeasurements = await measurePeaks();

  const records: RoundRecord[] = [];
  const runRound = async (round: Round, layouts: Map<string, Layout>): Promise<void> => {
    let answer: { timing: Timing; lastLoss: number } | { reason: string };
    if (round.engine === PYTORCH) {
      if (!torch) return;
      const layout = round.layout ?? layouts.get(`${round.model}/${round.mode}`) ?? 'contiguous';
      const seconds = round.layout !== undefined ? options.roundSeconds / 4 : round.mode === 'train' ? options.roundSeconds : options.roundSeconds / 2;
      const reply = await torch.request({ op: 'round', model: round.model, mode: round.mode, layout, seconds, steps: round.layout !== undefined ? null : options.steps });
      answer = reply.ok ? { timing: reply.timing as Timing, lastLoss: reply.lastLoss as number } : { reason: reply.reason };
    } else {
      const engine = byId.get(round.engine);
      if (!engine) return;
      const reply = await engine.process.request({ type: 'round', model: round.model, mode: round.mode });
      answer = reply.type === 'round' ? reply : { reason: reply.type === 'failed' ? reply.reason : `unexpected answer ${reply.type}` };
    }
    if ('reason' in answer) {
      if (!failed.some((f) => f.id === round.engine)) failed.push({ id: round.engine, reason: answer.reason });
      return;
    }
    records.push({ ...round, imagesPerSecond: answer.timing.imagesPerSecond, cpuUse: answer.timing.cpuSeconds / answer.timing.seconds, timing: answer.timing, lastLoss: answer.lastLoss });
  };

  const ids = models.map((m) => m.id);
  const layouts = new Map<string, Layout>();
  if (torch) {
    log(`PyTorch layout probe: channels_last and contiguous alternating, ${LAYOUT_TRIALS} short rounds each per model and mode…`);
    for (const round of layoutProbeSchedule(ids, LAYOUT_TRIALS)) await runRound(round, layouts);
    for (const id of ids) {
      for (const mode of ['train', 'infer'] as const) {
        const trials = records.filter((r) => r.layout !== undefined && r.model === id && r.mode === mode).map((r) => ({ layout: r.layout!, imagesPerSecond: r.imagesPerSecond }));
        if (trials.length > 0) layouts.set(`${id}/${mode}`, chooseLayout(trials));
      }
    }
    log(`  chosen: ${[...layouts].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }

  const schedule = roundSchedule(ids, engines.map((e) => e.engine), options.rounds);
  log(`Timed rounds: ${schedule.length} in all…`);
  let lastGroup = '';
  for (const round of schedule) {
    const group = `${round.model} ${round.mode}`;
    if (group !== lastGroup) {
      // A peak measurement between groups as well: the highest one stands for the CPU, so one taken under a neighbour's load does not lower it.
      if (lastGroup !== '') peakMeasurements.push(...(await measurePeaks()));
      log(`  ${group}`);
    }
    lastGroup = group;
    await runRound(round, layouts);
  }
  peakMeasurements.push(...(await measurePeaks()));
  const peak = measuredPeak(peakMeasurements);

  const profiled = engines.find((e) => e.backend === selection?.name && e.workers === null) ?? engines[0];
  let profile: { engine: string; model: string; profile: StepProfile } | null = null;
  if (profiled && ids.length > 0) {
    const reply = await profiled.process.request({ type: 'profile', model: ids[0] });
    if (reply.type === 'profile') profile = { engine: profiled.id, model: ids[0], profile: reply.profile };
  }
  const finished: Record<string, { threads: BackendThreads; peakRssMb: number; winogradConvs: number }> = {};
  for (const e of engines) {
    const reply = await e.process.request({ type: 'finish' });
    if (reply.type === 'finished') finished[e.id] = { threads: reply.threads, peakRssMb: reply.peakRssMb, winogradConvs: reply.winogradConvs };
    e.process.kill();
  }
  const torchFinish = torch ? await torch.request({ op: 'finish' }) : null;
  torch?.kill();

  const summaries = summarizeRounds(records);
  const winograd = winogradByEngine(engines.map((e) => ({ id: e.id, backend: e.backend, ...finished[e.id] })));
  const rows = resultRows(models, summaries, peak, layouts, winograd);
  log();
  log(`Peak: ${peak === null ? 'not measured (neither the native backend nor PyTorch ran)' : `${peak.gflops.toFixed(0)} GFLOP/s, the best ${PEAK_SIZE}×${PEAK_SIZE} float32 matrix product measured in this run (${peak.source}; measured ${peakMeasurements.length} times, before, between and after the groups of rounds: ${peakMeasurements.map((m) => m.gflops.toFixed(0)).join(', ')} GFLOP/s)`}; the nominal paper figure would be ${machine.peak.gflops.toFixed(0)} GFLOP/s (${machine.peak.derivation}).`);
  log(`Work counted: convolution and dense multiply-adds (2 FLOPs each); training = forward + weight gradients + input gradients of all layers but the one reading the image; BN, ReLU, pools and Adam not counted. ${winogradNote(winograd)}`);
  log();
  printRatios(rows, options.batchSize, options.rounds);
  if (torchSetup) log(`PyTorch ${torchSetup.torchVersion}: ${torchSetup.threads} threads, mkldnn ${torchSetup.mkldnn ? 'on' : 'off'}, layout per model and mode from the probe (in brackets).`);
  if (torchFinish?.ok) {
    const params = torchFinish.params as Record<string, number>;
    for (const m of models) {
      if (params[m.id] !== undefined && params[m.id] !== m.params) log(`  WARNING: ${m.id} has ${params[m.id]} parameters in PyTorch but ${m.params} in TF.js; the networks differ.`);
    }
  }
  for (const e of engines) {
    const f = finished[e.id];
    log(`TF.js ${e.id}: ${e.detail ? `${e.detail}; ` : ''}compute threads ${e.threads ?? '?'}${f ? `, process threads ${f.threads.process ?? '?'}, peak RSS ${f.peakRssMb.toFixed(0)} MB` : ''}.`);
  }
  const lines = unavailableLines(selection, failed);
  if (lines.length > 0) {
    log('Not measured:');
    for (const line of lines) log(line);
  }
  if (profile) {
    const p = profile.profile;
    log();
    log(`Top kernels of one training step, ${profile.model} on ${profile.engine} (each kernel timed at its call, mean of 3 steps after an untimed one; kernels ${p.kernelMs.toFixed(0)} ms of ${p.wallMs.toFixed(0)} ms wall, ${p.kernelCalls} kernel calls):`);
    log(profileTable(p));
  }

  const outFile = path.resolve(options.outFile);
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, `${JSON.stringify({
    timestamp: new Date().toISOString(),
    git: gitState(),
    machine,
    options,
    notes: [
      'work counted: conv and dense multiply-adds (2 FLOPs each); training = forward + weight gradients + input gradients except the layer reading the image; models[].work counts direct convolutions; the rows of an engine that ran Winograd (native with winogradConvs > 0; wasm always) count those convolutions at Winograd\'s multiply-adds (bench/lib/peak.ts, workCount with NATIVE_WINOGRAD or WASM_WINOGRAD)',
      'peak: the best 1024×1024 float32 matrix product measured in the run (native backend and PyTorch), not a paper figure',
      'ratios: per round, TF.js img/s over the mean of the PyTorch rounds just before and after it; medians and ranges over the rounds',
      'the machine is shared: absolute figures are noisy, ratios from the same run are what counts',
    ],
    models: models.map((m) => ({ id: m.id, description: m.description, inputShape: m.inputShape, work: m.work, params: m.params })),
    backendSelection: selection,
    engines: engines.map((e) => ({ id: e.id, backend: e.backend, workers: e.workers, computeThreads: e.threads, detail: e.detail, ...finished[e.id] })),
    pytorch: torchSetup ? { ...torchSetup, layouts: Object.fromEntries(layouts) } : { reason: 'reason' in torchStart ? torchStart.reason : null },
    failed,
    peak,
    markdown: markdownTable(rows),
    rows,
    rounds: records,
    profile,
    wallSeconds: (performance.now() - started) / 1000,
  }, null, 2)}\n`);
  log();
  log(`Wrote ${path.relative(process.cwd(), outFile)} (${((performance.now() - started) / 1000).toFixed(0)} s in all).`);
}

async function entry(): Promise<void> {
  if (maybeRunTrainingWorker()) return;
  if (await maybeRunProbe(process.argv)) return;
  const workerArg = process.argv.find((a) => a.startsWith(`${WORKER_FLAG}=`));
  if (workerArg !== undefined) {
    const workersArg = process.argv.find((a) => a.startsWith(`${WORKERS_FLAG}=`));
    return serveEngine(BackendNameSchema.parse(workerArg.slice(WORKER_FLAG.length + 1)), workersArg === undefined ? null : Number(workersArg.slice(WORKERS_FLAG.length + 1)), readOptions());
  }
  await main();
  // The native backend's thread pool in this process may keep it alive.
  process.exit(0);
}

entry().catch((error: unknown) => {
  process.stderr.write(`bench:engine failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
