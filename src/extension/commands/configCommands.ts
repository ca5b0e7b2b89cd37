/** New Experiment Config: writes the quick-preset template into a workspace folder. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { freeConfigName, quickPresetTemplate } from '../config/templates';
import { readSettings } from '../settings';
import { registerCommand } from './commandTargets';

export function registerConfigCommands(context: vscode.ExtensionContext): void {
  registerCommand(context, 'resbuilder.newConfig', async (target?: vscode.Uri) => {
    let folder: vscode.Uri | undefined;
    if (target instanceof vscode.Uri) {
      const stat = await vscode.workspace.fs.stat(target);
      folder = stat.type === vscode.FileType.Directory ? target : vscode.Uri.file(path.dirname(target.fsPath));
    } else {
      const folders = vscode.workspace.workspaceFolders ?? [];
      folder = folders.length === 1 ? folders[0].uri : (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Where should the experiment config go?' }))?.uri;
    }
    if (!folder) {
      void vscode.window.showInformationMessage('Open a folder first: the config is written into the workspace.');
      return;
    }
    const existing = new Set((await vscode.workspace.fs.readDirectory(folder)).map(([name]) => name));
    const file = vscode.Uri.joinPath(folder, freeConfigName(existing));
    await vscode.workspace.fs.writeFile(file, Buffer.from(quickPresetTemplate({ backend: readSettings().defaultBackend }), 'utf8'));
    await vscode.window.showTextDocument(file);
  });
}
