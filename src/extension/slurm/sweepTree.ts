/**
 * The sweeps in the ResBuilder activity bar: a group per sweep (its job and a count per state)
 * with a row per task (seed, settings, Slurm state with its reason, progress). Polls with one
 * CLI status call, hence one `squeue` call, for all sweeps at `resbuilder.slurm.pollSeconds`,
 * and only while the view is visible.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeSettings } from '../../core/sweep/expand';
import type { SweepStatusJson } from '../../core/sweep/status-json';
import { sweepStatuses, type CliHost } from './sweepCli';

export type SweepNode = { kind: 'sweep'; sweep: SweepStatusJson } | { kind: 'task'; sweep: SweepStatusJson; task: SweepStatusJson['tasks'][number] };

const ICONS: Record<string, [string, string?]> = {
  pending: ['clock'], requeued: ['debug-restart', 'charts.yellow'], running: ['sync~spin', 'charts.blue'], completed: ['pass', 'charts.green'],
  failed: ['error', 'charts.red'], cancelled: ['circle-slash'], stopped: ['debug-pause'], unknown: ['question'],
};

export class SweepTreeProvider implements vscode.TreeDataProvider<SweepNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private sweeps: SweepStatusJson[] = [];
  private error: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private visible = false;

  constructor(private readonly host: () => CliHost) {}

  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) void this.refresh();
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.visible) return;
    const seconds = Math.max(10, vscode.workspace.getConfiguration('resbuilder').get<number>('slurm.pollSeconds', 30));
    this.timer = setTimeout(() => void this.refresh().finally(() => this.schedule()), seconds * 1000);
  }

  async refresh(): Promise<void> {
    const manifests = await vscode.workspace.findFiles('**/.resbuilder/sweeps/*/sweep.json', '**/node_modules/**', 500);
    try {
      this.sweeps = await sweepStatuses(this.host(), manifests.map((m) => path.dirname(m.fsPath)).sort());
      this.error = null;
    } catch (error) {
      this.error = (error as Error).message;
    }
    this.emitter.fire();
  }

  getChildren(node?: SweepNode): SweepNode[] {
    if (!node) return this.sweeps.map((sweep) => ({ kind: 'sweep', sweep }));
    if (node.kind === 'sweep') return node.sweep.tasks.map((task) => ({ kind: 'task', sweep: node.sweep, task }));
    return [];
  }

  getTreeItem(node: SweepNode): vscode.TreeItem {
    if (node.kind === 'sweep') {
      const counts = new Map<string, number>();
      for (const t of node.sweep.tasks) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
      const item = new vscode.TreeItem(node.sweep.sweepId, vscode.TreeItemCollapsibleState.Expanded);
      item.description = `job ${node.sweep.jobId ?? '–'} · ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}`;
      item.tooltip = `${node.sweep.sweepDir}${node.sweep.note ? `\n${node.sweep.note}` : ''}${this.error ? `\n${this.error}` : ''}`;
      item.iconPath = new vscode.ThemeIcon('layers');
      item.contextValue = 'resbuilder.sweep';
      return item;
    }
    const { task } = node;
    const item = new vscode.TreeItem(`task ${task.index} · seed ${task.seed}`, vscode.TreeItemCollapsibleState.None);
    const settings = Object.keys(task.settings).length > 0 ? ` · ${describeSettings(task.settings)}` : '';
    item.description = `${task.state}${task.detail ? ` (${task.detail})` : ''}${task.progress ? ` · ${task.progress}` : ''}${settings}`;
    item.tooltip = `${task.slurmId ?? ''} ${task.schedulerState ?? ''}\n${task.runDir}`;
    const [icon, color] = ICONS[task.state] ?? ['circle-outline'];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.contextValue = `resbuilder.sweepTask.${task.state}`;
    item.command = { command: 'resbuilder.showPanel', title: 'Show Run Panel', arguments: [task.runDir] };
    return item;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.emitter.dispose();
  }
}
