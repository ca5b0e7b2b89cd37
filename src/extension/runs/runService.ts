/**
 * The editor's side of runs: starts them from configs, tracks the runs on disk, and tells the
 * user what happens (output channel, progress notification, end-of-run messages). The process
 * work is RunManager's; the pictures are the panel's.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeDiagnostic } from '../../core/config/diagnostics';
import { validateConfigText } from '../../core/config/load';
import type { TrainerEvent } from '../../protocol/events';
import type { ConfigRunStatus } from '../codelens/lensModel';
import { readSettings } from '../settings';
import { backendLocationsFor } from '../backends/workspaceBackendLocations';
import { progressText } from '../ui/runText';
import { latestRunOf, listRunRecords, type RunRecord } from './runCatalog';
import { isEnded } from './runLifecycle';
import { RunManager, RunRefusedError, type ManagedRun } from './runManager';
import { archPathFor, runsDirFor, RUNS_SUBDIR } from './runPaths';
import { describeResult, type RunSummary } from '../../protocol/run-stream/run-summary';

export interface RunServiceHooks {
  /** A run announced itself (`run-started`): the panel opens on it. */
  runStarted(run: ManagedRun): void;
}

export class RunService implements vscode.Disposable {
  readonly manager: RunManager;
  readonly output = vscode.window.createOutputChannel('ResBuilder');
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** Fires when any run's state changed or the runs on disk changed. */
  readonly onDidChange = this.changeEmitter.event;
  private records: RunRecord[] = [];
  private readonly recordCache = new Map<string, RunRecord>();
  private readonly archExists = new Map<string, boolean>();
  private refreshTimer: NodeJS.Timeout | null = null;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly configRunsDirs = new Map<string, string>();
  hooks: RunServiceHooks | null = null;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.manager = new RunManager({
      trainerScript: context.asAbsolutePath(path.join('dist', 'trainer.js')),
      settings: readSettings,
      backendLocations: backendLocationsFor(context),
    });
    this.disposables.push(this.output, this.changeEmitter);
    const subscription = this.manager.listen({
      changed: () => this.changeEmitter.fire(),
      output: (run, line, stream) => this.output.appendLine(`[${run.runId ?? path.basename(run.configPath ?? run.runDir ?? 'run')}]${stream === 'stderr' ? ' !' : ''} ${line}`),
      event: (run, event) => this.onEvent(run, event),
      ended: (run) => {
        this.scheduleRefresh();
        void this.announceEnd(run);
      },
    });
    this.disposables.push({ dispose: () => subscription.dispose() });

    const watcher = vscode.workspace.createFileSystemWatcher('**/.resbuilder/runs/*/events.jsonl');
    // A live run appends to its events.jsonl all the time; its summary comes over IPC, and the
    // file is read again once the run has ended.
    const changed = (uri: vscode.Uri): void => {
      if (!this.liveRun(path.dirname(uri.fsPath))) this.scheduleRefresh();
    };
    this.disposables.push(watcher, watcher.onDidCreate(() => this.scheduleRefresh()), watcher.onDidChange(changed), watcher.onDidDelete(() => this.scheduleRefresh()));
    const archWatcher = vscode.workspace.createFileSystemWatcher('**/*.arch.json');
    this.disposables.push(archWatcher, archWatcher.onDidCreate(() => this.archChanged()), archWatcher.onDidDelete(() => this.archChanged()));
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('resbuilder.runsFolder')) this.scheduleRefresh();
      }),
    );
    this.scheduleRefresh();
  }

  get runRecords(): readonly RunRecord[] {
    return this.records;
  }

  /** The disk record of a run, overlaid by the live summary while this window runs it. */
  summaryOf(runDir: string): RunSummary | undefined {
    const live = this.manager.findByRunDir(runDir);
    if (live && !isEnded(live.phase)) return live.summary;
    return this.records.find((r) => r.runDir === runDir)?.summary ?? live?.summary;
  }

  liveRun(runDir: string): ManagedRun | undefined {
    const live = this.manager.findByRunDir(runDir);
    return live && !isEnded(live.phase) ? live : undefined;
  }

  scheduleRefresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), 300);
  }

  async refresh(): Promise<void> {
    this.refreshTimer = null;
    const dirs = await this.runsDirs();
    this.records = await listRunRecords(dirs, this.recordCache);
    this.archExists.clear();
    this.changeEmitter.fire();
  }

  /** Every folder that may hold run folders. */
  private async runsDirs(): Promise<string[]> {
    const dirs = new Set<string>(this.configRunsDirs.values());
    const folders = vscode.workspace.workspaceFolders ?? [];
    const runsFolder = readSettings().runsFolder.trim();
    for (const folder of folders) {
      if (runsFolder !== '') dirs.add(path.resolve(folder.uri.fsPath, runsFolder));
      dirs.add(path.join(folder.uri.fsPath, RUNS_SUBDIR));
    }
    const found = await vscode.workspace.findFiles('**/.resbuilder/runs/*/events.jsonl', '**/node_modules/**', 500);
    for (const uri of found) dirs.add(path.dirname(path.dirname(uri.fsPath)));
    const configs = await vscode.workspace.findFiles('**/*.resbuilder.yaml', '**/node_modules/**', 200);
    for (const uri of configs) dirs.add(this.configRunsDirs.get(uri.fsPath) ?? runsDirFor(uri.fsPath));
    return [...dirs];
  }

  private archChanged(): void {
    this.archExists.clear();
    this.changeEmitter.fire();
  }

  /** What the CodeLens of a config shows. */
  statusOf(configPath: string): ConfigRunStatus {
    const active = this.manager.findActiveForConfig(configPath);
    if (active) {
      const phase = active.phase === 'queued' || active.phase === 'starting' || active.phase === 'stopping' ? active.phase : 'running';
      return { active: { phase, detail: progressText(active.phase, active.summary) }, last: null };
    }
    const record = latestRunOf(this.records, configPath);
    if (!record) return { active: null, last: null };
    const s = record.summary;
    const state = s.state === 'finished' || s.state === 'failed' || s.state === 'stopped' ? s.state : 'interrupted';
    return { active: null, last: { runDir: record.runDir, state, resumable: s.resumable, archExists: this.archFileExists(configPath, s) } };
  }

  private archFileExists(configPath: string, summary: RunSummary): boolean {
    const file = summary.archPath ?? archPathFor(configPath);
    const known = this.archExists.get(file);
    if (known !== undefined) return known;
    this.archExists.set(file, false);
    void fs.access(file).then(
      () => {
        this.archExists.set(file, true);
        this.changeEmitter.fire();
      },
      () => undefined,
    );
    return false;
  }

  /** Starts a run of a config file (saved first); shows config errors instead of starting. */
  async start(configUri: vscode.Uri): Promise<ManagedRun | undefined> {
    const document = await vscode.workspace.openTextDocument(configUri);
    if (document.isDirty) await document.save();
    const parsed = validateConfigText(document.getText(), configUri.fsPath);
    const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
    if (!parsed.config || errors.length > 0) {
      const first = errors[0];
      const where = first ? ` (line ${first.range.start.line + 1}: ${describeDiagnostic(first)})` : '';
      const choice = await vscode.window.showErrorMessage(
        `${path.basename(configUri.fsPath)} has ${errors.length} error${errors.length === 1 ? '' : 's'}${where}. Fix them before running.`,
        'Show Problems',
      );
      if (choice === 'Show Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
      return undefined;
    }
    const runsDir = runsDirFor(configUri.fsPath, parsed.config.outputs.runsDir);
    this.configRunsDirs.set(configUri.fsPath, runsDir);
    const defaultBackend = readSettings().defaultBackend;
    const backend = parsed.config.backend === 'auto' && defaultBackend !== 'auto' ? defaultBackend : undefined;
    return this.launch(() => this.manager.start({ configPath: configUri.fsPath, runsDir, backend }));
  }

  async resume(runDir: string): Promise<ManagedRun | undefined> {
    const record = this.records.find((r) => r.runDir === runDir);
    return this.launch(() => this.manager.resume({ runDir, configPath: record?.summary.configPath ?? null }));
  }

  /** Starts tracking a run the manager launched; a refusal (too many runs) is a message, not an error. */
  private launch(start: () => ManagedRun): ManagedRun | undefined {
    try {
      const run = start();
      this.track(run);
      return run;
    } catch (error) {
      if (error instanceof RunRefusedError) {
        void vscode.window.showInformationMessage(error.message);
        return undefined;
      }
      throw error;
    }
  }

  stop(run: ManagedRun): void {
    this.manager.stop(run);
  }

  /** A progress notification while the run lives; cancelling it stops the run. */
  private track(run: ManagedRun): void {
    if (run.phase === 'queued') {
      void vscode.window.showInformationMessage(
        `${run.label} is queued: ${readSettings().maxConcurrentRuns} run(s) already in progress (resbuilder.maxConcurrentRuns).`,
      );
    }
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `ResBuilder: ${path.basename(run.configPath ?? run.runDir ?? 'run')}`, cancellable: true },
      (progress, token) =>
        new Promise<void>((resolve) => {
          token.onCancellationRequested(() => this.manager.stop(run));
          let last = '';
          const report = (): void => {
            const text = progressText(run.phase, run.summary);
            if (text !== last) {
              last = text;
              progress.report({ message: text });
            }
          };
          report();
          const subscription = this.manager.listen({
            changed: (r) => {
              if (r !== run) return;
              report();
              if (isEnded(r.phase)) {
                subscription.dispose();
                resolve();
              }
            },
          });
          if (isEnded(run.phase)) {
            subscription.dispose();
            resolve();
          }
        }),
    );
  }

  private onEvent(run: ManagedRun, event: TrainerEvent): void {
    if (event.type === 'run-started') {
      this.hooks?.runStarted(run);
      this.scheduleRefresh();
    } else if (event.type === 'log' && event.level !== 'info') {
      this.output.appendLine(`[${event.runId}] ${event.level}: ${event.message}`);
    }
  }

  private async announceEnd(run: ManagedRun): Promise<void> {
    const name = path.basename(run.configPath ?? run.runDir ?? 'run');
    const s = run.summary;
    const runDir = run.runDir;
    switch (run.phase) {
      case 'finished': {
        const archPath = s.archPath ?? (run.configPath ? archPathFor(run.configPath) : null);
        const result = describeResult(s);
        const message = `ResBuilder: ${name} finished${result ? ` (${result})` : ''}.${archPath ? ` Architecture: ${archPath}` : ''}`;
        const choice = await vscode.window.showInformationMessage(message, ...(archPath ? ['Open Architecture'] : []), 'Show Panel');
        if (choice === 'Open Architecture' && archPath) await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(archPath));
        if (choice === 'Show Panel' && runDir) await vscode.commands.executeCommand('resbuilder.showPanel', runDir);
        return;
      }
      case 'stopped': {
        const choice = await vscode.window.showInformationMessage(
          `ResBuilder: ${name} stopped${s.resumable ? '; it can be resumed from its checkpoint' : ''}.`,
          ...(s.resumable ? ['Resume'] : []),
        );
        if (choice === 'Resume' && runDir) await this.resume(runDir);
        return;
      }
      case 'failed':
      case 'crashed': {
        const what = run.phase === 'failed' ? `failed: ${s.message ?? 'no reason given'}` : `ended unexpectedly. ${s.message ?? run.note ?? ''}`;
        const hint = s.hint ? ` ${s.hint}` : '';
        const actions = ['Show Log', ...(s.resumable && runDir ? ['Resume'] : run.configPath ? ['Run Again'] : [])];
        const choice = await vscode.window.showErrorMessage(`ResBuilder: ${name} ${what}${hint}`, ...actions);
        if (choice === 'Show Log') this.output.show(true);
        if (choice === 'Resume' && runDir) await this.resume(runDir);
        if (choice === 'Run Again' && run.configPath) await this.start(vscode.Uri.file(run.configPath));
        return;
      }
      default:
        return;
    }
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const d of this.disposables) d.dispose();
  }
}
