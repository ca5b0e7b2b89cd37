/** The status-bar item of the active run: what it is doing; a click opens its panel. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunService } from '../runs/runService';
import { statusText } from './runText';

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('resbuilder.run', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly service: RunService) {
    this.item.name = 'ResBuilder run';
    this.subscription = service.onDidChange(() => this.update());
    this.update();
  }

  private update(): void {
    const active = this.service.manager.active.filter((r) => r.phase !== 'queued');
    const run = active.at(-1);
    if (!run) {
      this.item.hide();
      return;
    }
    const more = active.length > 1 ? ` (+${active.length - 1})` : '';
    const icon = run.phase === 'stopping' ? '$(loading~spin)' : '$(sync~spin)';
    this.item.text = `${icon} ResBuilder: ${statusText(run.phase, run.summary)}${more}`;
    this.item.tooltip = `${path.basename(run.configPath ?? run.runDir ?? '')}${run.runId ? ` · run ${run.runId}` : ''}\nClick to show the run panel`;
    this.item.command = run.runDir ? { title: 'Show panel', command: 'resbuilder.showPanel', arguments: [run.runDir] } : 'resbuilder.showLog';
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
