/** Commands on run folders: open one in the panel, show the log, refresh, delete and reveal. */
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import type { PanelController } from '../panel/panelController';
import type { RunService } from '../runs/runService';
import { activeRunFor, pickRun, registerCommand, runDirOf, type Target } from './commandTargets';

export function registerRunFolderCommands(context: vscode.ExtensionContext, service: RunService, panels: PanelController): void {
  const openRun = async (target?: Target): Promise<void> => {
    const runDir = runDirOf(target) ?? (await pickRun(service, 'Open which run?', () => true));
    if (runDir) panels.showRun(runDir);
  };
  registerCommand(context, 'resbuilder.openRun', openRun);

  registerCommand(context, 'resbuilder.showPanel', async (target?: Target) => {
    const runDir = runDirOf(target);
    if (runDir) {
      panels.showRun(runDir);
      return;
    }
    const run = await activeRunFor(service, target);
    if (run?.runDir) panels.showRun(run.runDir);
    else if (run) void vscode.window.showInformationMessage('The panel opens as soon as the trainer has started.');
    else await openRun(undefined);
  });

  registerCommand(context, 'resbuilder.showLog', () => service.output.show(true));
  registerCommand(context, 'resbuilder.refreshRuns', () => service.refresh());

  registerCommand(context, 'resbuilder.deleteRun', async (target?: Target) => {
    const runDir = runDirOf(target) ?? (await pickRun(service, 'Delete which run?', (dir) => !service.liveRun(dir)));
    if (!runDir) return;
    if (service.liveRun(runDir)) {
      void vscode.window.showWarningMessage('Stop the run before deleting it.');
      return;
    }
    const choice = await vscode.window.showWarningMessage(
      `Delete the run folder ${runDir}? Its events, checkpoints and logs are removed; the .arch.json next to the config stays.`,
      { modal: true },
      'Delete',
    );
    if (choice !== 'Delete') return;
    await fs.rm(runDir, { recursive: true, force: true });
    panels.closeRun(runDir);
    await service.refresh();
  });

  registerCommand(context, 'resbuilder.revealRun', async (target?: Target) => {
    const runDir = runDirOf(target) ?? (await pickRun(service, 'Reveal which run?', () => true));
    if (!runDir) return;
    const uri = vscode.Uri.file(runDir);
    if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
    else await vscode.commands.executeCommand('revealFileInOS', uri);
  });
}
