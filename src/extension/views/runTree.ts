/** The Runs view: every run found under the runs folders, with its state and result. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../runs/runCatalog';
import { configName } from '../runs/runPaths';
import type { ManagedRun } from '../runs/runManager';
import type { RunService } from '../runs/runService';
import { describeResult, displayState, type RunSummary } from '../../protocol/run-stream/run-summary';
import { progressText } from '../ui/runText';
import { groupByConfig, runDescription, runLabel } from './runLabels';

export class RunItem extends vscode.TreeItem {
  constructor(
    readonly runDir: string,
    readonly runId: string,
    readonly summary: RunSummary,
    live: { progress: string; accuracy: number | null } | null,
  ) {
    const name = summary.configPath ? configName(summary.configPath) : path.basename(path.dirname(path.dirname(path.dirname(runDir))));
    super(runLabel(name, summary, runId), vscode.TreeItemCollapsibleState.None);
    const state = live ? 'running' : displayState(summary);
    const result = describeResult(summary);
    this.description = runDescription(state, result, live);
    this.contextValue = `resbuilder.run.${state}`;
    this.iconPath = iconOf(state);
    this.resourceUri = vscode.Uri.file(runDir);
    this.tooltip = new vscode.MarkdownString(
      [
        `**${name}** · run \`${runId}\``,
        `State: ${state}${summary.message ? ` (${summary.message})` : ''}`,
        result ? `Result: ${result}` : '',
        summary.backend ? `Backend: ${summary.backend}` : '',
        summary.startedAt ? `Started: ${summary.startedAt}` : '',
        `Folder: ${runDir}`,
      ]
        .filter((l) => l !== '')
        .join('\n\n'),
    );
    this.command = { title: 'Open run', command: 'resbuilder.openRun', arguments: [runDir] };
  }
}

function iconOf(state: string): vscode.ThemeIcon {
  switch (state) {
    case 'running':
    case 'starting':
      return new vscode.ThemeIcon('sync~spin');
    case 'finished':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'failed':
    case 'interrupted':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'resumable':
      return new vscode.ThemeIcon('debug-pause');
    default:
      return new vscode.ThemeIcon('circle-slash');
  }
}

/** A config's runs, newest first, under the config's name. */
export class ConfigGroupItem extends vscode.TreeItem {
  constructor(
    readonly configPath: string | null,
    readonly runs: RunItem[],
  ) {
    super(configPath ? configName(configPath) : 'other runs', vscode.TreeItemCollapsibleState.Expanded);
    this.id = `resbuilder.config:${configPath ?? ''}`;
    this.description = configPath ? vscode.workspace.asRelativePath(configPath) : undefined;
    this.contextValue = 'resbuilder.config';
    this.iconPath = new vscode.ThemeIcon('file-code');
    if (configPath) this.resourceUri = vscode.Uri.file(configPath);
  }
}

type RunTreeItem = ConfigGroupItem | RunItem;

export class RunTreeProvider implements vscode.TreeDataProvider<RunTreeItem>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly service: RunService) {
    this.subscription = service.onDidChange(() => this.emitter.fire());
  }

  getTreeItem(item: RunTreeItem): vscode.TreeItem {
    return item;
  }

  getChildren(element?: RunTreeItem): RunTreeItem[] {
    if (element instanceof ConfigGroupItem) return element.runs;
    if (element) return [];
    return groupByConfig(this.runItems(), (item) => item.summary.configPath).map((g) => new ConfigGroupItem(g.configPath, g.runs));
  }

  private runItems(): RunItem[] {
    const records: RunRecord[] = [...this.service.runRecords];
    const liveOf = (run: ManagedRun): { progress: string; accuracy: number | null } => ({ progress: progressText(run.phase, run.summary), accuracy: run.summary.accuracy });
    const items = records.map((r) => {
      const live = this.service.liveRun(r.runDir);
      return new RunItem(r.runDir, r.runId, live?.summary ?? r.summary, live ? liveOf(live) : null);
    });
    // A live run whose events.jsonl the watcher has not picked up yet.
    for (const run of this.service.manager.active) {
      if (run.runDir && run.runId && !records.some((r) => r.runDir === run.runDir)) {
        items.unshift(new RunItem(run.runDir, run.runId, run.summary, liveOf(run)));
      }
    }
    return items;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
