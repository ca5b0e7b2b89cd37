/** Run, Stop and Resume: the commands that start and end trainer processes. */
import * as vscode from 'vscode';
import type { RunService } from '../runs/runService';
import { activeRunFor, configOf, pickConfig, pickRun, registerCommand, runDirOf, type Target } from './commandTargets';

export function registerRunLifecycleCommands(context: vscode.ExtensionContext, service: RunService): void {
  registerCommand(context, 'resbuilder.run', async (target?: Target) => {
    const config = configOf(target) ?? (target === undefined ? await pickConfig() : undefined);
    if (config) await service.start(config);
  });

  registerCommand(context, 'resbuilder.stop', async (target?: Target) => {
    const run = await activeRunFor(service, target);
    if (!run) {
      void vscode.window.showInformationMessage('No ResBuilder run is in progress.');
      return;
    }
    service.stop(run);
  });

  // The panel opens by itself when the resumed trainer announces the run.
  registerCommand(context, 'resbuilder.resume', async (target?: Target) => {
    let runDir = runDirOf(target);
    const config = configOf(target);
    if (!runDir && config) {
      const last = service.statusOf(config.fsPath).last;
      if (last?.resumable) runDir = last.runDir;
    }
    runDir ??= await pickRun(service, 'Resume which run?', (dir) => service.summaryOf(dir)?.resumable === true && !service.liveRun(dir));
    if (runDir) await service.resume(runDir);
  });
}
