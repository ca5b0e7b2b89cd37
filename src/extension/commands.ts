/** The `resbuilder.*` commands of the palette, the CodeLens, the Runs view and the panel. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { openArchitectureEditor } from './archEditor/architectureEditor';
import { committedArchPathOf, architectureOfRun, committedArchitecture, pickTwoArchitectures } from './panel/compareArchitectures';
import type { PanelActions, PanelController } from './panel/panelController';
import { freeConfigName, quickPresetTemplate } from './config/templates';
import { latestRunOf } from './runs/runCatalog';
import type { ManagedRun } from './runs/runManager';
import { archPathFor, isConfigPath } from './runs/runPaths';
import type { RunService } from './runs/runService';
import { readSettings } from './settings';
import { RunItem } from './views/runTree';

/** Commands get a config Uri (CodeLens, editor menus), a run folder (lenses, status bar) or a tree item. */
type Target = vscode.Uri | string | RunItem | undefined;

function runDirOf(target: Target): string | undefined {
  if (typeof target === 'string') return target;
  if (target instanceof RunItem) return target.runDir;
  return undefined;
}

function configOf(target: Target): vscode.Uri | undefined {
  if (target instanceof vscode.Uri && isConfigPath(target.fsPath)) return target;
  if (target === undefined) {
    const editor = vscode.window.activeTextEditor;
    if (editor && isConfigPath(editor.document.uri.fsPath)) return editor.document.uri;
  }
  return undefined;
}

async function pickConfig(): Promise<vscode.Uri | undefined> {
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

export function registerCommands(context: vscode.ExtensionContext, service: RunService, panels: PanelController): void {
  const pickRun = async (title: string, filter: (runDir: string) => boolean): Promise<string | undefined> => {
    await service.refresh();
    const items = service.runRecords
      .filter((r) => filter(r.runDir))
      .map((r) => ({ label: `${path.basename(r.summary.configPath ?? r.runDir)} · ${r.runId}`, description: r.summary.state, runDir: r.runDir }));
    if (items.length === 0) {
      void vscode.window.showInformationMessage(`${title}: no matching run was found.`);
      return undefined;
    }
    return (await vscode.window.showQuickPick(items, { title }))?.runDir;
  };

  const activeRunFor = async (target: Target): Promise<ManagedRun | undefined> => {
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
  };

  // The panel opens by itself when the resumed trainer announces the run.
  const resume = async (runDir: string): Promise<void> => {
    await service.resume(runDir);
  };

  const openArchitecture = async (target: Target): Promise<void> => {
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
  };

  const actions: PanelActions = {
    stop: (runDir) => {
      const run = service.liveRun(runDir);
      if (run) service.stop(run);
    },
    resume,
    openArchitecture: (runDir) => openArchitecture(runDir),
    compareWithCommitted: async (runDir) => {
      const record = service.runRecords.find((r) => r.runDir === runDir);
      const summary = service.summaryOf(runDir);
      if (!summary) return;
      const archPath = committedArchPathOf({ summary });
      if (!archPath) {
        void vscode.window.showWarningMessage('This run does not name its config, so its committed architecture is unknown.');
        return;
      }
      try {
        const left = await committedArchitecture(archPath);
        const right = await architectureOfRun({ runDir, runId: record?.runId ?? summary.runId ?? path.basename(runDir), summary });
        panels.showCompare(left, right);
      } catch (error) {
        void vscode.window.showWarningMessage(`Cannot compare: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
  panels.actions = actions;

  const register = (id: string, handler: (...args: never[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown));
  };

  register('resbuilder.run', async (target?: Target) => {
    const config = configOf(target) ?? (target === undefined ? await pickConfig() : undefined);
    if (config) await service.start(config);
  });

  register('resbuilder.stop', async (target?: Target) => {
    const run = await activeRunFor(target);
    if (!run) {
      void vscode.window.showInformationMessage('No ResBuilder run is in progress.');
      return;
    }
    service.stop(run);
  });

  register('resbuilder.resume', async (target?: Target) => {
    let runDir = runDirOf(target);
    const config = configOf(target);
    if (!runDir && config) {
      const last = service.statusOf(config.fsPath).last;
      if (last?.resumable) runDir = last.runDir;
    }
    runDir ??= await pickRun('Resume which run?', (dir) => service.summaryOf(dir)?.resumable === true && !service.liveRun(dir));
    if (runDir) await resume(runDir);
  });

  const openRun = async (target?: Target): Promise<void> => {
    const runDir = runDirOf(target) ?? (await pickRun('Open which run?', () => true));
    if (runDir) panels.showRun(runDir);
  };
  register('resbuilder.openRun', openRun);
  register('resbuilder.openLastRun', openRun);

  register('resbuilder.showPanel', async (target?: Target) => {
    const runDir = runDirOf(target);
    if (runDir) {
      panels.showRun(runDir);
      return;
    }
    const run = await activeRunFor(target);
    if (run?.runDir) panels.showRun(run.runDir);
    else if (run) void vscode.window.showInformationMessage('The panel opens as soon as the trainer has started.');
    else await openRun(undefined);
  });

  register('resbuilder.openArchitecture', openArchitecture);

  register('resbuilder.compare', async () => {
    await service.refresh();
    try {
      const pair = await pickTwoArchitectures(service.runRecords);
      if (pair) panels.showCompare(pair[0], pair[1]);
    } catch (error) {
      void vscode.window.showErrorMessage(`Cannot compare: ${error instanceof Error ? error.message : String(error)}`);
    }
  });

  register('resbuilder.newConfig', async (target?: vscode.Uri) => {
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

  register('resbuilder.showLog', () => service.output.show(true));
  register('resbuilder.refreshRuns', () => service.refresh());

  register('resbuilder.deleteRun', async (target?: Target) => {
    const runDir = runDirOf(target) ?? (await pickRun('Delete which run?', (dir) => !service.liveRun(dir)));
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

  register('resbuilder.revealRun', async (target?: Target) => {
    const runDir = runDirOf(target) ?? (await pickRun('Reveal which run?', () => true));
    if (!runDir) return;
    const uri = vscode.Uri.file(runDir);
    if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
    else await vscode.commands.executeCommand('revealFileInOS', uri);
  });
}
