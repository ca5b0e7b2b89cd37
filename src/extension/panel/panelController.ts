/**
 * The run panel (a webview). Not kept alive while hidden: each time the page (re)loads it posts
 * `ready`, and the host replays the run from events.jsonl in one batch, then streams live
 * events. A serializer brings panels back after a window reload.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TrainerEvent } from '../../protocol/events';
import { mergeEvents, StreamCursor } from '../../protocol/run-stream/merge';
import { parsePanelMessage, type ComparedArchitecture, type HostMessage, type PanelMessage } from '../../protocol/panel';
import { readRunEvents } from '../runs/runCatalog';
import { EventsTail, trainerAliveElsewhere } from '../runs/eventsTail';
import type { ManagedRun } from '../runs/runManager';
import { configName } from '../runs/runPaths';
import { readSettings } from '../settings';
import type { RunService } from '../runs/runService';
import { escapeHtml } from './panelHtml';
import { panelWebviewHtml, panelWebviewOptions } from './panelWebview';

export const PANEL_VIEW_TYPE = 'resbuilder.panel';

function isFinalEvent(event: TrainerEvent): boolean {
  return event.type === 'finished' || event.type === 'failed' || event.type === 'stopped';
}

/** Whether Resume has a checkpoint to continue from. */
function hasCheckpoint(runDir: string): boolean {
  return fs.existsSync(path.join(runDir, 'checkpoint', 'state.json'));
}
const PANEL_RUNS_KEY = 'resbuilder.panelRuns';
const LIVE_BATCH_MS = 100;
/** How often a panel reads on the events.jsonl of a run a trainer outside this window writes. */
const FOLLOW_MS = 1000;

export interface PanelActions {
  stop(runDir: string): void;
  resume(runDir: string): Promise<void>;
  openArchitecture(runDir: string): Promise<void>;
  compareWithCommitted(runDir: string): Promise<void>;
}

interface OpenPanel {
  panel: vscode.WebviewPanel;
  /** The run shown; null for a comparison. */
  runDir: string | null;
  compare: { left: ComparedArchitecture; right: ComparedArchitecture } | null;
  ready: boolean;
  /** How far this panel has been sent the run's stream (docs/run-stream.md). */
  cursor: StreamCursor;
  pending: TrainerEvent[];
  flushTimer: NodeJS.Timeout | null;
  /** Reads on the run's events.jsonl while a trainer outside this window writes it. */
  followTimer: NodeJS.Timeout | null;
}

export class PanelController implements vscode.WebviewPanelSerializer, vscode.Disposable {
  private readonly open = new Set<OpenPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  actions: PanelActions | null = null;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly service: RunService,
  ) {
    const subscription = service.manager.listen({ event: (run, e) => this.liveEvent(run, e), ended: (run) => this.runEnded(run) });
    this.disposables.push({ dispose: () => subscription.dispose() }, service.onDidChange(() => this.closeRemovedRuns()));
    this.disposables.push(vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, this));
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return panelWebviewOptions(this.context.extensionUri);
  }

  private titleOf(runDir: string): string {
    const summary = this.service.summaryOf(runDir);
    const name = summary?.configPath ? configName(summary.configPath) : 'run';
    return `ResBuilder: ${name} · ${summary?.runId ?? path.basename(runDir)}`;
  }

  /** Shows (or creates) the panel of a run. */
  showRun(runDir: string, options: { preserveFocus?: boolean } = {}): void {
    const existing = [...this.open].find((p) => p.runDir === runDir) ?? (readSettings().panelPerRun ? undefined : this.panelOfSameConfig(runDir));
    if (existing) {
      if (existing.runDir !== runDir) this.retarget(existing, runDir);
      existing.panel.reveal(existing.panel.viewColumn, options.preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      this.titleOf(runDir),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: options.preserveFocus ?? false },
      this.webviewOptions(),
    );
    this.attach(panel, runDir, null);
  }

  private configOf(runDir: string): string | null {
    return this.service.summaryOf(runDir)?.configPath ?? this.service.manager.findByRunDir(runDir)?.configPath ?? null;
  }

  /** The panel showing another run of the same config: one panel per config unless `resbuilder.panelPerRun`. */
  private panelOfSameConfig(runDir: string): OpenPanel | undefined {
    const config = this.configOf(runDir);
    if (!config) return undefined;
    return [...this.open].find((p) => p.runDir !== null && p.compare === null && this.configOf(p.runDir) === config);
  }

  /** Points a run panel at another run: its page starts over with that run's events. */
  private retarget(entry: OpenPanel, runDir: string): void {
    entry.runDir = runDir;
    entry.panel.title = this.titleOf(runDir);
    void this.remember(runDir);
    if (entry.ready) void this.replay(entry);
  }

  /** Shows a comparison in the one compare view, which is reused where it is. */
  showCompare(left: ComparedArchitecture, right: ComparedArchitecture): void {
    const title = `ResBuilder: ${left.label} ↔ ${right.label}`;
    const existing = [...this.open].find((p) => p.compare !== null);
    if (existing) {
      existing.compare = { left, right };
      existing.panel.title = title;
      existing.panel.reveal(existing.panel.viewColumn);
      if (existing.ready) this.post(existing, { type: 'compare', left, right });
      return;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, title, vscode.ViewColumn.Beside, this.webviewOptions());
    this.attach(panel, null, { left, right });
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const runDir = await this.runDirForRestore(panel, state);
    if (!runDir) {
      panel.webview.html = `<!DOCTYPE html><html><body><p>${escapeHtml('This ResBuilder panel cannot be restored: its run folder was not found.')}</p></body></html>`;
      return;
    }
    panel.webview.options = this.webviewOptions();
    this.attach(panel, runDir, null);
  }

  /** The webview saves `{ runId }` as its state; the host remembers where each run id lives. */
  private async runDirForRestore(panel: vscode.WebviewPanel, state: unknown): Promise<string | undefined> {
    const known = this.context.workspaceState.get<Record<string, string>>(PANEL_RUNS_KEY, {});
    const fromState = typeof state === 'object' && state !== null && typeof (state as { runId?: unknown }).runId === 'string' ? (state as { runId: string }).runId : undefined;
    const fromTitle = /·\s*(\S+)\s*$/.exec(panel.title)?.[1];
    for (const runId of [fromState, fromTitle]) {
      if (runId && known[runId]) return known[runId];
    }
    await this.service.refresh();
    return this.service.runRecords.find((r) => r.runId === fromState || r.runId === fromTitle)?.runDir;
  }

  private attach(panel: vscode.WebviewPanel, runDir: string | null, compare: OpenPanel['compare']): void {
    const entry: OpenPanel = { panel, runDir, compare, ready: false, cursor: new StreamCursor(), pending: [], flushTimer: null, followTimer: null };
    this.open.add(entry);
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'resbuilder.svg');
    panel.webview.html = this.html(panel.webview, panel.title);
    if (runDir) void this.remember(runDir);
    const subscriptions = [
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(entry, raw)),
      panel.onDidChangeViewState(() => {
        // A hidden panel's page is gone; it posts `ready` again when shown.
        if (!panel.visible) entry.ready = false;
      }),
    ];
    panel.onDidDispose(() => {
      if (entry.flushTimer) clearTimeout(entry.flushTimer);
      this.unfollow(entry);
      for (const s of subscriptions) s.dispose();
      this.open.delete(entry);
    });
  }

  private async remember(runDir: string): Promise<void> {
    const runId = this.service.summaryOf(runDir)?.runId ?? path.basename(runDir);
    const known = { ...this.context.workspaceState.get<Record<string, string>>(PANEL_RUNS_KEY, {}), [runId]: runDir };
    await this.context.workspaceState.update(PANEL_RUNS_KEY, known);
  }

  private html(webview: vscode.Webview, title: string): string {
    return panelWebviewHtml(webview, this.context.extensionUri, title);
  }

  private post(entry: OpenPanel, message: HostMessage): void {
    void entry.panel.webview.postMessage(message);
  }

  private async receive(entry: OpenPanel, raw: unknown): Promise<void> {
    let message: PanelMessage;
    try {
      message = parsePanelMessage(raw, entry.panel.title);
    } catch (error) {
      this.service.output.appendLine(error instanceof Error ? error.message : String(error));
      return;
    }
    if (message.type === 'ready') {
      await this.replay(entry);
      return;
    }
    const runDir = entry.runDir;
    if (!runDir || !this.actions) return;
    switch (message.type) {
      case 'stop':
        this.actions.stop(runDir);
        break;
      case 'resume':
        await this.actions.resume(runDir);
        break;
      case 'openArchitecture':
        await this.actions.openArchitecture(runDir);
        break;
      case 'compareWithCommitted':
        await this.actions.compareWithCommitted(runDir);
        break;
      case 'export':
        await vscode.commands.executeCommand('resbuilder.export', runDir);
        break;
    }
  }

  /** reset + every event so far in one batch; live events follow through `liveEvent`. */
  private async replay(entry: OpenPanel): Promise<void> {
    entry.ready = false;
    this.unfollow(entry);
    if (entry.compare) {
      this.post(entry, { type: 'compare', left: entry.compare.left, right: entry.compare.right });
      entry.ready = true;
      return;
    }
    const runDir = entry.runDir!;
    let recorded: TrainerEvent[] = [];
    try {
      const log = await readRunEvents(runDir);
      recorded = log.events;
      for (const error of log.errors.slice(0, 5)) this.service.output.appendLine(error);
    } catch {
      // A run that has just started may not have written its file yet; the live events cover it.
    }
    const live = this.service.manager.findByRunDir(runDir)?.events ?? [];
    const events = mergeEvents(recorded, live);
    const runId = events.find((e) => e.type === 'run-started')?.runId ?? path.basename(runDir);
    entry.cursor = new StreamCursor(events[0]?.runId);
    for (const event of events) entry.cursor.take(event);
    entry.pending = [];
    this.post(entry, { type: 'reset', runId, title: this.titleOf(runDir) });
    this.post(entry, { type: 'events', events });
    const ranHere = this.service.manager.findByRunDir(runDir);
    if (!this.service.liveRun(runDir) && !events.some(isFinalEvent)) {
      if (!ranHere && trainerAliveElsewhere(runDir)) this.follow(entry, runDir);
      else this.postGone(entry, runDir);
    }
    entry.ready = true;
  }

  private postGone(entry: OpenPanel, runDir: string): void {
    const why = this.service.manager.findByRunDir(runDir)?.summary.message;
    this.post(entry, { type: 'trainerGone', message: why ?? 'The trainer of this run is not running and ended without a result (it crashed, was killed, or its editor closed).', resumable: hasCheckpoint(runDir) });
  }

  /**
   * Streams the events a trainer outside this window appends (a Slurm task on a compute node,
   * docs/cluster.md) until the run ends or its trainer is gone. The file is read from its start
   * once more; the cursor drops what the replay sent.
   */
  private follow(entry: OpenPanel, runDir: string): void {
    const tail = new EventsTail(runDir);
    const tick = async (): Promise<void> => {
      entry.followTimer = null;
      if (!entry.ready || entry.runDir !== runDir) return;
      const { events, errors } = await tail.read();
      for (const error of errors.slice(0, 5)) this.service.output.appendLine(error);
      // The page may have gone (hidden, retargeted) while the file was read; its replay starts over.
      if (!entry.ready || entry.runDir !== runDir) return;
      const fresh = events.filter((e) => entry.cursor.take(e).verdict === 'new');
      if (fresh.length > 0) this.post(entry, { type: 'events', events: fresh });
      if (events.some(isFinalEvent) || this.service.liveRun(runDir)) return;
      if (!trainerAliveElsewhere(runDir)) {
        this.postGone(entry, runDir);
        return;
      }
      entry.followTimer = setTimeout(() => void tick(), FOLLOW_MS);
    };
    entry.followTimer = setTimeout(() => void tick(), 0);
  }

  private unfollow(entry: OpenPanel): void {
    if (entry.followTimer) clearTimeout(entry.followTimer);
    entry.followTimer = null;
  }

  private liveEvent(run: ManagedRun, event: TrainerEvent): void {
    for (const entry of this.open) {
      if (!entry.ready || entry.runDir === null || entry.runDir !== run.runDir) continue;
      if (entry.cursor.take(event).verdict !== 'new') continue;
      entry.pending.push(event);
      entry.flushTimer ??= setTimeout(() => {
        entry.flushTimer = null;
        const events = entry.pending;
        entry.pending = [];
        if (entry.ready && events.length > 0) this.post(entry, { type: 'events', events });
      }, LIVE_BATCH_MS);
    }
    if (event.type === 'run-started' && run.runDir) {
      for (const entry of this.open) if (entry.runDir === run.runDir) entry.panel.title = this.titleOf(run.runDir);
    }
  }

  /** A trainer that ended without a final event: its panels show the run interrupted at once. */
  private runEnded(run: ManagedRun): void {
    if (!run.runDir || run.events.some(isFinalEvent)) return;
    const message = run.summary.message ?? run.note ?? 'The trainer ended before it reported a result.';
    for (const entry of this.open) {
      if (entry.ready && entry.runDir === run.runDir) this.post(entry, { type: 'trainerGone', message, resumable: hasCheckpoint(run.runDir) });
    }
  }

  /** Closes the panels of a run whose folder is gone (deleted), unless this window still runs it. */
  closeRun(runDir: string): void {
    for (const entry of [...this.open]) if (entry.runDir === runDir) entry.panel.dispose();
  }

  private closeRemovedRuns(): void {
    for (const entry of [...this.open]) {
      if (entry.runDir && !this.service.manager.findByRunDir(entry.runDir) && !fs.existsSync(entry.runDir)) entry.panel.dispose();
    }
  }

  dispose(): void {
    for (const entry of [...this.open]) entry.panel.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
