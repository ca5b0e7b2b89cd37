/** Where a trainer started from VS Code looks for the optional backend packages (docs/gpu.md). */
import * as vscode from 'vscode';
import type { BackendModuleLocations } from '../../protocol/backend-modules';
import { readSettings } from '../settings';
import { extensionBackendLocations } from './backendLocations';

/** The locations a trainer started for `configPath` (or for the first workspace folder) uses. */
export function backendLocationsFor(context: vscode.ExtensionContext): (configPath: string | null) => BackendModuleLocations {
  return (configPath) => {
    const folder = configPath ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(configPath)) : vscode.workspace.workspaceFolders?.[0];
    return extensionBackendLocations({
      settingPath: readSettings().backendModulesPath,
      workspaceFolder: folder?.uri.fsPath,
      globalStorage: context.globalStorageUri.fsPath,
    });
  };
}
