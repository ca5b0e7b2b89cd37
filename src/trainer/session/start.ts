/**
 * Starting and resuming runs: everything from a config path (or a run folder) to a running
 * loop, and the guarantee that any failure after the run folder exists ends with a `failed`
 * event that says what happened and keeps everything written so far.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArchitectureDocument } from '../../core/arch/json';
import { START_ARCHITECTURES } from '../../core/arch/seeds';
import type { Architecture } from '../../core/arch/types';
import { ConfigError, formatDiagnostic } from '../../core/config/diagnostics';
import { configHash } from '../../core/config/hash';
import { loadConfigFile, validateConfigText } from '../../core/config/load';
import type { ResolvedConfig } from '../../core/config/types';
import { isBuiltInStart } from '../../core/config/resolve';
import { architectureKey } from '../../core/search/key';
import { describeLoadedModule, selectBackend } from '../backends';
import { loadDataset } from '../data/load';
import { DataError } from '../data/types';
import { buildModel } from '../model/build';
import { loadModelWeights, readCheckpoint } from '../run/checkpoint';
import { EventEmitter, readEventsFile, RunFolderRemovedError } from '../run/emitter';
import { createRunDir, runPaths, type RunPaths } from '../run/run-dir';
import { StopSignal } from '../run/stop-signal';
import { startHeartbeat } from '../run/heartbeat';
import type { RunContext } from './context';
import { initialProgress, type RunProgress } from './progress-state';
import { createRngs, restoreRngs } from '../../core/rng';
import { emitArchitecture } from './snapshot';
import type { LoopState } from './loop-state';
import { runLoop } from './run-loop';
import { createTrainingData } from './training-data';
import { packageVersions } from './versions';
import { TimeLedger } from '../run/time-ledger';
import { writeTimeReport } from './time-report';

export interface RunOptions {
  /** Send events to the parent process (the VS Code extension forks the trainer). */
  ipc: boolean;
  /** Receives each event (the CLI's console display). */
  onEvent?: (event: import('../../protocol/events').TrainerEvent) => void;
  /** Overrides the config's backend (CLI flag). */
  backend?: ResolvedConfig['backend'];
}

export type RunOutcome = { kind: 'finished' | 'stopped' | 'failed'; runDir: string; exitCode: number };

/** The start architecture of a config, checked against the dataset's input shape and classes. */
export function startArchitecture(config: ResolvedConfig, input: Architecture['input'], numClasses: number): Architecture {
  const { start, blockStyle } = config.architecture;
  if (isBuiltInStart(start)) return START_ARCHITECTURES[start](input, numClasses, blockStyle);
  const text = fs.readFileSync(start, 'utf8');
  const arch = parseArchitectureDocument(text, start);
  const same = arch.input.height === input.height && arch.input.width === input.width && arch.input.channels === input.channels;
  if (!same || arch.numClasses !== numClasses) {
    throw new Error(
      `${start}: the architecture expects ${arch.input.height}×${arch.input.width}×${arch.input.channels} inputs and ${arch.numClasses} classes, ` +
        `but the dataset has ${input.height}×${input.width}×${input.channels} and ${numClasses}. Continue from an architecture found on the same kind of data.`,
    );
  }
  return arch;
}

function hintFor(error: unknown): string | undefined {
  if (error instanceof DataError) return error.hint;
  const message = String((error as Error)?.message ?? error);
  if (/out of memory|allocation failed|Cannot allocate/i.test(message)) {
    return 'The trainer ran out of memory: lower training.batchSize, use dataset.limit, or a smaller start architecture.';
  }
  return undefined;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

interface Prepared {
  ctx: RunContext;
  uninstall: () => void;
}

async function prepare(config: ResolvedConfig, paths: RunPaths, emitter: EventEmitter, opts: RunOptions, hash: string): Promise<Prepared> {
  const stop = new StopSignal();
  const log = (message: string) => emitter.emit({ type: 'log', level: 'info', message });
  const uninstall = stop.install(log);
  const started = performance.now();
  const times = new TimeLedger();
  emitter.timeWith(times);
  try {
    const backend = await times.timeAsync('startup', () => selectBackend(opts.backend ?? config.backend));
    if (backend.module) log(describeLoadedModule(backend.module));
    const dataset = await times.timeAsync('data', () => loadDataset(config.dataset, {
      configDir: path.dirname(config.configPath),
      seed: config.seed,
      onProgress: log,
    }));
    const rngs = createRngs(config.seed);
    const ctx: RunContext = {
      config, configHash: hash, paths, emitter, stop, backend, dataset, rngs, times,
      data: times.time('data', () => createTrainingData(dataset, config, rngs)),
      versions: packageVersions(backend.name),
      elapsedSeconds: () => (performance.now() - started) / 1000,
    };
    return { ctx, uninstall };
  } catch (error) {
    uninstall();
    throw error;
  }
}

async function drive(emitter: EventEmitter, paths: RunPaths, body: () => Promise<'finished' | 'stopped'>, stopReason: () => string): Promise<RunOutcome> {
  try {
    const outcome = await body();
    if (outcome === 'stopped') {
      emitter.emit({ type: 'stopped', resumable: fs.existsSync(path.join(paths.checkpointDir, 'state.json')), reason: stopReason() });
      return { kind: 'stopped', runDir: paths.dir, exitCode: 0 };
    }
    return { kind: 'finished', runDir: paths.dir, exitCode: 0 };
  } catch (caught) {
    // Whatever failed first (a checkpoint write, an event), a removed run folder is the cause.
    const error = fs.existsSync(paths.dir) ? caught : new RunFolderRemovedError(paths.dir);
    const resumable = fs.existsSync(path.join(paths.checkpointDir, 'state.json'));
    emitter.emit({ type: 'failed', message: describeError(error), hint: hintFor(error), resumable });
    // A removed run folder leaves nowhere to write the log; the failed event carries the reason.
    if (fs.existsSync(paths.dir)) fs.appendFileSync(paths.logFile, `${new Date().toISOString()} ${(error as Error)?.stack ?? String(error)}\n`);
    return { kind: 'failed', runDir: paths.dir, exitCode: 1 };
  }
}

/** Runs `body` with a prepared context; any failure becomes a `failed` event in the run's record. */
function driveRun(
  config: ResolvedConfig,
  paths: RunPaths,
  emitter: EventEmitter,
  opts: RunOptions,
  body: (ctx: RunContext) => Promise<'finished' | 'stopped'>,
): Promise<RunOutcome> {
  if (opts.onEvent) emitter.onEvent(opts.onEvent);
  let stopReason = () => 'stopped';
  return drive(emitter, paths, async () => {
    const { ctx, uninstall } = await prepare(config, paths, emitter, opts, configHash(config));
    stopReason = () => ctx.stop.why;
    const stopHeartbeat = startHeartbeat(paths.dir);
    try {
      const outcome = await body(ctx);
      // A finished run wrote its report before its last event (export-result.ts); a stopped one has only the file.
      if (outcome === 'stopped') writeTimeReport(ctx, false);
      return outcome;
    } finally {
      stopHeartbeat();
      uninstall();
    }
  }, () => stopReason());
}

export async function startRun(configFile: string, opts: RunOptions): Promise<RunOutcome> {
  const config = await loadConfigFile(path.resolve(configFile), { onWarning: (w) => process.stderr.write(`${w}\n`) });
  return startRunIn(config, createRunDir(config.outputs.runsDir, config.name, config.configPath), opts);
}

/** Starts a run in a run folder that already holds its `config.yaml` and an empty `events.jsonl` (a sweep task's). */
export function startRunIn(config: ResolvedConfig, paths: RunPaths, opts: RunOptions): Promise<RunOutcome> {
  const emitter = new EventEmitter(paths.runId, paths.eventsFile, { ipc: opts.ipc });
  return driveRun(config, paths, emitter, opts, async (ctx) => {
    const { info } = ctx.dataset;
    const arch = startArchitecture(config, { height: info.inputShape[0], width: info.inputShape[1], channels: info.inputShape[2] }, info.numClasses);
    emitStarted(ctx, false);
    const state: LoopState = { progress: initialProgress(config.mode, architectureKey(arch)), arch, model: null, resumePhase: null };
    emitArchitecture(ctx, arch, 'start');
    return runLoop(ctx, state);
  });
}

function emitStarted(ctx: RunContext, resumed: boolean): void {
  const { config } = ctx;
  ctx.emitter.emit({
    type: 'run-started', mode: config.mode, configPath: config.configPath, configHash: ctx.configHash,
    config: JSON.parse(JSON.stringify(config)) as Record<string, unknown>, seed: config.seed,
    backend: ctx.backend, dataset: ctx.dataset.info, resumed, versions: ctx.versions,
  });
}

/**
 * Drops a torn last line (a kill mid-write) so the resumed stream appends whole lines, and
 * returns the seq the resumed stream continues from: the run's seqs stay unique across resumes.
 */
function repairEventsFile(file: string): number {
  const text = fs.readFileSync(file, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) fs.truncateSync(file, Buffer.byteLength(text.slice(0, end)));
  const events = readEventsFile(file);
  return events.length === 0 ? 0 : events[events.length - 1].seq + 1;
}

export async function resumeRun(runDir: string, opts: RunOptions): Promise<RunOutcome> {
  const paths = runPaths(path.resolve(runDir));
  if (!fs.existsSync(paths.eventsFile)) throw new Error(`${paths.dir} is not a ResBuilder run folder (no events.jsonl). Pass a folder under .resbuilder/runs/ next to the config, e.g. resbuilder resume .resbuilder/runs/<run-id>.`);
  const checkpoint = readCheckpoint<RunProgress>(paths.checkpointDir);
  const started = readEventsFile(paths.eventsFile).find((e) => e.type === 'run-started');
  const originalConfig = started?.type === 'run-started' ? started.configPath : paths.configCopy;
  // The copy is what the run started with; parsing it at the original path resolves its relative paths as they were.
  const text = fs.readFileSync(paths.configCopy, 'utf8');
  // The start architecture is not read again: the run continues from its checkpoint.
  const parsed = validateConfigText(text, originalConfig, { start: false });
  if (!parsed.config) throw new ConfigError(paths.configCopy, parsed.diagnostics.filter((d) => d.severity === 'error'));
  for (const d of parsed.diagnostics) process.stderr.write(`${formatDiagnostic(d, paths.configCopy)}\n`);
  const config = parsed.config;
  const emitter = new EventEmitter(paths.runId, paths.eventsFile, { ipc: opts.ipc, firstSeq: repairEventsFile(paths.eventsFile) });
  return driveRun(config, paths, emitter, opts, async (ctx) => {
    const { state: saved } = checkpoint;
    if (saved.configHash !== ctx.configHash) {
      ctx.emitter.emit({ type: 'log', level: 'warn', message: `The config copy in ${paths.dir} no longer matches the checkpoint's hash; continuing with the copy.` });
    }
    restoreRngs(ctx.rngs, saved.rng);
    // Seed 0: the weights are overwritten from the checkpoint, and drawing from the init
    // stream here would shift every later initialisation relative to an uninterrupted run.
    const model = buildModel(saved.architecture, { seed: 0, zeroGammaLayers: [], batchNormMomentum: config.training.batchNormMomentum });
    loadModelWeights(model, checkpoint.weights, paths.checkpointDir);
    emitStarted(ctx, true);
    emitArchitecture(ctx, saved.architecture, 'resume');
    const state: LoopState = {
      progress: saved.progress,
      arch: saved.architecture,
      model,
      resumePhase: saved.phase ? { epochsDone: saved.phase.epochsDone, optimizer: checkpoint.optimizer, batches: saved.phase.batches } : null,
    };
    return runLoop(ctx, state);
  });
}
