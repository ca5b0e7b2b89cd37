/**
 * The `resbuilder.*` commands of the palette, the CodeLens, the Runs view and the panel, each
 * concern registered by its own module under `commands/`.
 */
import type * as vscode from 'vscode';
import type { PanelController } from './panel/panelController';
import type { RunService } from './runs/runService';
import { registerArchitectureCommands } from './commands/architectureCommands';
import { registerConfigCommands } from './commands/configCommands';
import { connectPanelActions } from './commands/panelActions';
import { registerRunFolderCommands } from './commands/runFolderCommands';
import { registerRunLifecycleCommands } from './commands/runLifecycleCommands';

export function registerCommands(context: vscode.ExtensionContext, service: RunService, panels: PanelController): void {
  connectPanelActions(service, panels);
  registerRunLifecycleCommands(context, service);
  registerRunFolderCommands(context, service, panels);
  registerArchitectureCommands(context, service, panels);
  registerConfigCommands(context);
}
