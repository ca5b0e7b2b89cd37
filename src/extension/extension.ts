/**
 * ResBuilder Studio's extension host: CodeLens, diagnostics, commands, the Runs view and the
 * run panel around trainer processes. It holds no search logic and never loads TF.js: the
 * trainer runs in its own process (dist/trainer.js).
 */
import * as vscode from 'vscode';
import { ConfigCodeLensProvider } from './codelens/codeLensProvider';
import { registerBackendCommands } from './backends/backendCommands';
import { registerArchitectureEditor } from './archEditor/architectureEditor';
import { registerCommands } from './commands';
import { registerExportCommands } from './export/exportCommands';
import { ConfigDiagnostics } from './config/configDiagnostics';
import { registerConfigQuickFixes } from './config/quickFix';
import { PanelController } from './panel/panelController';
import { RunService } from './runs/runService';
import { RunStatusBar } from './ui/statusBar';
import { RunTreeProvider } from './views/runTree';
import { registerSlurmCommands } from './slurm/slurmCommands';

let service: RunService | undefined;

export function activate(context: vscode.ExtensionContext): void {
  service = new RunService(context);
  const panels = new PanelController(context, service);
  service.hooks = { runStarted: (run) => run.runDir && panels.showRun(run.runDir, { preserveFocus: true }) };
  const lenses = new ConfigCodeLensProvider(service);
  const tree = new RunTreeProvider(service);
  context.subscriptions.push(
    service,
    panels,
    lenses,
    tree,
    new ConfigDiagnostics(),
    new RunStatusBar(service),
    vscode.languages.registerCodeLensProvider({ scheme: 'file', pattern: '**/*.resbuilder.yaml' }, lenses),
    vscode.window.createTreeView('resbuilder.runs', { treeDataProvider: tree, showCollapseAll: false }),
  );
  registerCommands(context, service, panels);
  registerBackendCommands(context, service);
  registerExportCommands(context);
  registerSlurmCommands(context);
  registerArchitectureEditor(context, service, panels);
  registerConfigQuickFixes(context);
}

/** Stops every run so no trainer outlives the window; each writes a checkpoint first. */
export async function deactivate(): Promise<void> {
  const current = service;
  service = undefined;
  if (!current) return;
  await Promise.race([current.manager.stopAll(), new Promise((resolve) => setTimeout(resolve, 4000))]);
}
