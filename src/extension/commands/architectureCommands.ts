/** Commands on architectures: open a run's or a config's `.arch.json`, and compare two of them. */
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';
import { committedArchPathOf, pickTwoArchitectures } from '../panel/compareArchitectures';
import type { PanelController } from '../panel/panelController';
import { latestRunOf } from '../runs/runCatalog';
import { archPathFor } from '../runs/runPaths';
import type { RunService } from '../runs/runService';
import { configOf, pickConfig, registerCommand, runDirOf, type Target } from './commandTargets';
import { openArchitectureEditor } from '../archEditor/architectureEditor';

/** Opens the architecture file of a run folder, or of a config (asking for one when none is given). */
export async function openArchitecture(service: RunService, target: Target): Promise<void> {
  let file: string | null = null;
  const runDir = runDirOf(target);
  if (runDir) {
    const summary = service.summaryOf(runDir);
    file = summary ? committedArchPathOf({ summary }) : null;
  } else {
    const config = configOf(target) ?? (await pickConfig());
    if (!config) return;
    file = service.statusOf(config.fsPath).last ? (latestRunOf(service.runRecords, config.fsPath)?.summary.archPath ?? archPathFor(config.fsPath)) : archPathFor(config.fsPath);
  }
  if (!file) return;
  try {
    await fs.access(file);
  } catch {
    void vscode.window.showWarningMessage(`There is no architecture file yet at ${file}: it is written when a run finishes.`);
    return;
  }
  await openArchitectureEditor(file);
}

export function registerArchitectureCommands(context: vscode.ExtensionContext, service: RunService, panels: PanelController): void {
  registerCommand(context, 'resbuilder.openArchitecture', (target?: Target) => openArchitecture(service, target));

  registerCommand(context, 'resbuilder.compare', async () => {
    await service.refresh();
    try {
      const pair = await pickTwoArchitectures(service.runRecords);
      if (pair) panels.showCompare(pair[0], pair[1]);
    } catch (error) {
      void vscode.window.showErrorMessage(`Cannot compare: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}
