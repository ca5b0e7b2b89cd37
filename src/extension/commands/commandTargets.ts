/** What a `resbuilder.*` command is invoked on, and the pickers that ask when it is not given. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ManagedRun } from '../runs/runManager';
import { isConfigPath } from '../runs/runPaths';
import type { RunService } from '../runs/runService';
import { RunItem } from '../views/runTree';

/** Commands get a config Uri (CodeLens, editor menus), a run folder (lenses, status bar) or a tree item. */
export type Target = vscode.Uri | string | RunItem | undefined;

export function runDirOf(target: Target): string | undefined {
  if (typeof target === 'string') return target;
  if (target instanceof RunItem) return target.runDir;
  return undefined;
}

export function configOf(target: Target): vscode.Uri | undefined {
  if (target instanceof vscode.Uri && isConfigPath(target.fsPath)) return target;
  if (target === undefined) {
    const editor = vscode.window.activeTextEditor;
    if (editor && isConfigPath(editor.document.uri.fsPath)) return editor.document.uri;
  }
  return undefined;
}

export async function pickConfig(): Promise<vscode.Uri | undefined> {
  const configs = await vscode.workspace.findFiles('**/*.resbuilder.yaml', '**/node_modules/**', 200);
  if (configs.length === 0) {
    const choice = await vscode.window.showInformationMessage('There is no *.resbuilder.yaml in this workspace.', 'New Experiment Config');
    if (choice) await vscode.commands.executeCommand('resbuilder.newConfig');
    return undefined;
  }
  if (configs.length === 1) return configs[0];
  const picked = await vscode.window.showQuickPick(
    configs.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { title: 'Run which experiment?' },
  );
  return picked?.uri;
}

export async function pickRun(service: RunService, title: string, filter: (runDir: string) => boolean): Promise<string | undefined> {
  await service.refresh();
  const items = service.runRecords
    .filter((r) => filter(r.runDir))
    .map((r) => ({ label: `${path.basename(r.summary.configPath ?? r.runDir)} · ${r.runId}`, description: r.summary.state, runDir: r.runDir }));
  if (items.length === 0) {
    void vscode.window.showInformationMessage(`${title}: no matching run was found.`);
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { title }))?.runDir;
}

export async function activeRunFor(service: RunService, target: Target): Promise<ManagedRun | undefined> {
  const runDir = runDirOf(target);
  if (runDir) return service.liveRun(runDir);
  const config = configOf(target);
  if (config) return service.manager.findActiveForConfig(config.fsPath);
  const active = service.manager.active;
  if (active.length <= 1) return active[0];
  const picked = await vscode.window.showQuickPick(
    active.map((run) => ({ label: run.label, description: run.phase, run })),
    { title: 'Which run?' },
  );
  return picked?.run;
}

/** Registers a command for the extension's lifetime. */
export function registerCommand(context: vscode.ExtensionContext, id: string, handler: (...args: never[]) => unknown): void {
  context.subscriptions.push(vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown));
}
