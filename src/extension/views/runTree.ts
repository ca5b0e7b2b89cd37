/** The Runs view: every run found under the runs folders, with its state and result. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../runs/runCatalog';
import { configName } from '../runs/runPaths';
import type { RunService } from '../runs/runService';
import { describeResult, displayState, type RunSummary } from '../../protocol/run-stream/run-summary';
import { statusText } from '../ui/runText';

export class RunItem extends vscode.TreeItem {
  constructor(
    readonly runDir: string,
    readonly runId: string,
    readonly summary: RunSummary,
    live: string | null,
  ) {
    const name = summary.configPath ? configName(summary.configPath) : path.basename(path.dirname(path.dirname(path.dirname(runDir))));
    super(`${name} · ${runId}`, vscode.TreeItemCollapsibleState.None);
    const state = live ? 'running' : displayState(summary);
    const result = describeResult(summary);
    this.description = [live ?? state, result].filter((s) => s !== '').join(' · ');
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

export class RunTreeProvider implements vscode.TreeDataProvider<RunItem>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly service: RunService) {
    this.subscription = service.onDidChange(() => this.emitter.fire());
  }

  getTreeItem(item: RunItem): vscode.TreeItem {
    return item;
  }

  getChildren(): RunItem[] {
    const records: RunRecord[] = [...this.service.runRecords];
    const items = records.map((r) => {
      const live = this.service.liveRun(r.runDir);
      return new RunItem(r.runDir, r.runId, live?.summary ?? r.summary, live ? statusText(live.phase, live.summary) : null);
    });
    // A live run whose events.jsonl the watcher has not picked up yet.
    for (const run of this.service.manager.active) {
      if (run.runDir && run.runId && !records.some((r) => r.runDir === run.runDir)) {
        items.unshift(new RunItem(run.runDir, run.runId, run.summary, statusText(run.phase, run.summary)));
      }
    }
    return items;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
