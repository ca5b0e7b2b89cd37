/**
 * Starts, watches and stops trainer processes. No vscode here: the extension renders what this
 * reports, and the unit tests drive it with a stand-in trainer script.
 *
 * The trainer writes `events.jsonl` itself (the durable record); this only keeps the events it
 * received in memory for the live views.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { BackendModuleLocations } from '../../protocol/backend-modules';
import { PROTOCOL_VERSION, type TrainerCommand, type TrainerEvent } from '../../protocol/events';
import { classifyTrainerMessage, previewMessage } from './ipcMessages';
import { holdsSlot, isEnded, nextPhase, type LifecycleInput, type LifecyclePhase } from './runLifecycle';
import { foldEvent, initialSummary, markEnded, type RunSummary } from '../../protocol/run-stream/run-summary';
import { buildTrainerLaunch, describeLaunch, type TrainerAction } from './trainerLaunch';

export interface RunManagerSettings {
  nodePath: string;
  defaultBackend: string;
  maxConcurrentRuns: number;
  /** How long a stopping trainer gets to write its checkpoint before it is killed. */
  stopTimeoutMs: number;
}

export interface RunManagerOptions {
  trainerScript: string;
  settings: () => RunManagerSettings;
  host?: { execPath: string; electronVersion: string | undefined; env: Readonly<Record<string, string | undefined>> };
  /** Where a run's trainer looks for the tfjs-node packages (docs/gpu.md). */
  backendLocations?: (configPath: string | null) => BackendModuleLocations;
}

export type OutputStream = 'stdout' | 'stderr' | 'host';

export interface RunManagerListener {
  /** Phase, summary or run folder changed. */
  changed?(run: ManagedRun): void;
  event?(run: ManagedRun, event: TrainerEvent): void;
  output?(run: ManagedRun, line: string, stream: OutputStream): void;
  invalidMessage?(run: ManagedRun, error: string, preview: string): void;
  /** The process is gone (or a queued run was cancelled); `run.phase` says how it ended. */
  ended?(run: ManagedRun): void;
}

export class RunRefusedError extends Error {}

export interface StartRequest {
  configPath: string;
  /** Folder of the config's run folders; the run's own folder is `<runsDir>/<runId>`. */
  runsDir: string;
  /** Backend to force with `--backend`, when the config leaves the choice to the user's default. */
  backend?: string;
}

export interface ResumeRequest {
  runDir: string;
  /** The config the run came from, when known (so the editor can attach the run to it). */
  configPath?: string | null;
}

let nextRunKey = 1;

export class ManagedRun {
  readonly key = nextRunKey++;
  phase: LifecyclePhase = 'queued';
  summary: RunSummary = initialSummary();
  readonly events: TrainerEvent[] = [];
  exit: { code: number | null; signal: string | null } | null = null;
  pid: number | undefined;
  configPath: string | null;
  runDir: string | null;
  /** Why the run is in its phase when the stream does not say (launch errors, forced kills). */
  note: string | null = null;
  /** The id `run-started` announced; every later event must carry it. */
  streamRunId: string | null = null;
  child: ChildProcess | null = null;
  killTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly action: TrainerAction,
    readonly runsDir: string | null,
    configPath: string | null,
  ) {
    this.configPath = configPath;
    this.runDir = action.kind === 'resume' ? action.runDir : null;
  }

  get runId(): string | null {
    return this.summary.runId;
  }

  get label(): string {
    const name = this.configPath ? path.basename(this.configPath) : this.runDir ? path.basename(this.runDir) : 'run';
    return this.runId ? `${name} (${this.runId})` : name;
  }
}

export class RunManager {
  private readonly runs: ManagedRun[] = [];
  private readonly listeners = new Set<RunManagerListener>();

  constructor(private readonly options: RunManagerOptions) {}

  listen(listener: RunManagerListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Runs that have not ended, in start order. */
  get active(): ManagedRun[] {
    return this.runs.filter((r) => !isEnded(r.phase));
  }

  /** Every run this manager handled, ended ones included, in start order. */
  get all(): readonly ManagedRun[] {
    return this.runs;
  }

  findActiveForConfig(configPath: string): ManagedRun | undefined {
    return this.active.find((r) => r.configPath !== null && samePath(r.configPath, configPath));
  }

  findByRunDir(runDir: string): ManagedRun | undefined {
    for (let i = this.runs.length - 1; i >= 0; i--) {
      const r = this.runs[i];
      if (r.runDir !== null && samePath(r.runDir, runDir)) return r;
    }
    return undefined;
  }

  start(request: StartRequest): ManagedRun {
    const existing = this.findActiveForConfig(request.configPath);
    if (existing) {
      throw new RunRefusedError(`${path.basename(request.configPath)} is already ${existing.phase === 'queued' ? 'queued' : 'running'}.`);
    }
    return this.enqueue(new ManagedRun({ kind: 'run', configPath: request.configPath, backend: request.backend }, request.runsDir, request.configPath));
  }

  resume(request: ResumeRequest): ManagedRun {
    const existing = this.active.find((r) => r.runDir !== null && samePath(r.runDir, request.runDir));
    if (existing) throw new RunRefusedError(`The run in ${request.runDir} is already running.`);
    if (request.configPath) {
      const sameConfig = this.findActiveForConfig(request.configPath);
      if (sameConfig) throw new RunRefusedError(`${path.basename(request.configPath)} already has a run in progress.`);
    }
    return this.enqueue(new ManagedRun({ kind: 'resume', runDir: request.runDir }, path.dirname(request.runDir), request.configPath ?? null));
  }

  /** Asks the trainer to checkpoint and exit; kills it when it has not exited in time. */
  stop(run: ManagedRun): void {
    if (isEnded(run.phase) || run.phase === 'stopping') return;
    if (run.phase === 'queued') {
      this.transition(run, { kind: 'stop-requested' });
      run.note = 'Removed from the queue before it started.';
      this.emitEnded(run);
      return;
    }
    this.transition(run, { kind: 'stop-requested' });
    const child = run.child;
    if (!child) return;
    const command: TrainerCommand = { v: PROTOCOL_VERSION, type: 'stop' };
    let sent = false;
    if (child.connected) {
      try {
        sent = child.send(command);
      } catch {
        sent = false;
      }
    }
    if (!sent) {
      this.output(run, 'The trainer does not accept commands any more; ending it.', 'host');
      child.kill('SIGTERM');
    }
    const timeout = this.options.settings().stopTimeoutMs;
    run.killTimer = setTimeout(() => {
      if (run.exit === null) {
        run.note = `The trainer did not stop within ${Math.round(timeout / 1000)} s and was killed.`;
        this.output(run, run.note, 'host');
        child.kill('SIGKILL');
      }
    }, timeout);
  }

  /** Stops every run (queued ones are dropped) and resolves when all processes are gone. */
  async stopAll(): Promise<void> {
    const waiting = this.active.filter((r) => r.child !== null).map((r) => this.whenEnded(r));
    for (const run of [...this.active].reverse()) this.stop(run);
    await Promise.all(waiting);
  }

  whenEnded(run: ManagedRun): Promise<void> {
    if (isEnded(run.phase) && (run.child === null || run.exit !== null)) return Promise.resolve();
    return new Promise((resolve) => {
      const subscription = this.listen({
        ended: (r) => {
          if (r === run) {
            subscription.dispose();
            resolve();
          }
        },
      });
    });
  }

  private enqueue(run: ManagedRun): ManagedRun {
    this.runs.push(run);
    this.emitChanged(run);
    this.pump();
    return run;
  }

  private pump(): void {
    const limit = Math.max(1, Math.floor(this.options.settings().maxConcurrentRuns));
    for (const run of this.runs) {
      if (this.runs.filter((r) => holdsSlot(r.phase)).length >= limit) return;
      if (run.phase === 'queued') this.launch(run);
    }
  }

  private launch(run: ManagedRun): void {
    const settings = this.options.settings();
    const host = this.options.host ?? { execPath: process.execPath, electronVersion: process.versions.electron, env: process.env };
    let child: ChildProcess;
    try {
      const launch = buildTrainerLaunch({
        trainerScript: this.options.trainerScript,
        action: run.action,
        nodePath: settings.nodePath,
        hostExecPath: host.execPath,
        hostElectronVersion: host.electronVersion,
        baseEnv: host.env,
        backendLocations: this.options.backendLocations?.(run.configPath),
      });
      this.transition(run, { kind: 'launched' });
      this.output(run, `$ ${describeLaunch(launch)}`, 'host');
      child = fork(launch.modulePath, launch.args, {
        execPath: launch.execPath,
        // Not the extension host's flags (inspector ports, Electron switches).
        execArgv: launch.execArgv,
        env: launch.env,
        cwd: launch.cwd,
        serialization: 'json',
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
    } catch (error) {
      this.failLaunch(run, error instanceof Error ? error.message : String(error));
      return;
    }
    run.child = child;
    run.pid = child.pid;
    for (const [stream, name] of [
      [child.stdout, 'stdout'],
      [child.stderr, 'stderr'],
    ] as const) {
      if (stream) readline.createInterface({ input: stream }).on('line', (line) => this.output(run, line, name));
    }
    child.on('message', (message: unknown) => this.receive(run, message));
    child.on('error', (error) => {
      // Spawn failures (a wrong resbuilder.nodePath) arrive here, and no 'close' may follow.
      this.output(run, `Trainer process error: ${error.message}`, 'host');
      if (run.pid === undefined && run.exit === null) this.failLaunch(run, error.message);
    });
    child.on('close', (code, signal) => this.exited(run, code, signal));
    this.emitChanged(run);
  }

  private failLaunch(run: ManagedRun, message: string): void {
    run.note = `The trainer could not be started: ${message}`;
    run.exit = { code: null, signal: null };
    run.summary = markEnded(run.summary, run.note);
    this.transition(run, { kind: 'launch-error', message });
    this.output(run, run.note, 'host');
    this.emitEnded(run);
    this.pump();
  }

  private receive(run: ManagedRun, message: unknown): void {
    const result = classifyTrainerMessage(message, `trainer ${run.pid ?? '?'}`, run.streamRunId);
    if (result.kind === 'invalid') {
      const preview = previewMessage(message);
      this.output(run, `${result.error} (message: ${preview})`, 'host');
      for (const l of this.listeners) l.invalidMessage?.(run, result.error, preview);
      return;
    }
    const event = result.event;
    run.events.push(event);
    run.summary = foldEvent(run.summary, event);
    if (event.type === 'run-started') {
      run.streamRunId = event.runId;
      if (run.runDir === null && run.runsDir !== null) run.runDir = path.join(run.runsDir, event.runId);
      run.configPath ??= event.configPath;
    }
    this.transition(run, { kind: 'event', event });
    for (const l of this.listeners) l.event?.(run, event);
    this.emitChanged(run);
  }

  private exited(run: ManagedRun, code: number | null, signal: string | null): void {
    if (run.killTimer) clearTimeout(run.killTimer);
    run.killTimer = null;
    run.exit = { code, signal };
    run.child = null;
    const how = signal ? `was ended by ${signal}` : `exited with code ${code}`;
    this.output(run, `The trainer ${how}.`, 'host');
    if (!isEnded(run.phase)) {
      run.summary = markEnded(run.summary, run.note ?? `The trainer ${how} before it reported a result.`);
    }
    this.transition(run, { kind: 'exit', code, signal });
    this.emitEnded(run);
    this.pump();
  }

  private transition(run: ManagedRun, input: LifecycleInput): void {
    const next = nextPhase(run.phase, input);
    if (next !== run.phase) {
      run.phase = next;
      this.emitChanged(run);
    }
  }

  private output(run: ManagedRun, line: string, stream: OutputStream): void {
    for (const l of this.listeners) l.output?.(run, line, stream);
  }

  private emitChanged(run: ManagedRun): void {
    for (const l of this.listeners) l.changed?.(run);
  }

  private emitEnded(run: ManagedRun): void {
    this.emitChanged(run);
    for (const l of [...this.listeners]) l.ended?.(run);
  }
}

function samePath(a: string, b: string): boolean {
  return path.resolve(a) === path.resolve(b);
}
