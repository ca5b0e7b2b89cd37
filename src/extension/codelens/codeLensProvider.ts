/** CodeLens on `*.resbuilder.yaml`: Run / Stop / Show panel / Open last run / Open architecture. */
import * as vscode from 'vscode';
import type { RunService } from '../runs/runService';
import { computeLenses, type LensAction } from './lensModel';

const commandOf: Record<LensAction, string | null> = {
  run: 'resbuilder.run',
  stop: 'resbuilder.stop',
  showPanel: 'resbuilder.showPanel',
  openLastRun: 'resbuilder.openRun',
  openArchitecture: 'resbuilder.openArchitecture',
  resume: 'resbuilder.resume',
  status: 'resbuilder.showLog',
};

export class ConfigCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly service: RunService) {
    this.subscription = service.onDidChange(() => this.emitter.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const status = this.service.statusOf(document.uri.fsPath);
    return computeLenses(document.getText(), status).map((spec) => {
      const range = new vscode.Range(spec.line, 0, spec.line, 0);
      const command = commandOf[spec.action];
      // Every lens passes the config; the run commands find the run from it.
      const args: unknown[] = spec.action === 'openLastRun' || spec.action === 'resume' ? [status.last?.runDir] : [document.uri];
      return new vscode.CodeLens(range, command ? { title: spec.title, tooltip: spec.tooltip, command, arguments: args } : undefined);
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
