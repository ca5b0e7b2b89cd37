/**
 * ResBuilder: Export… — the found network as ONNX or as a PyTorch module (docs/export.md), from
 * an `.arch.json` (command palette, explorer, the CodeLens above the file) or a finished run (the
 * run panel's Export… button). The trainer bundle does the work (`resbuilder export`), so the
 * extension host never loads TF.js; the files land next to the `.arch.json`.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { buildTrainerLaunch, describeLaunch } from '../runs/trainerLaunch';
import { eventsFileOf } from '../runs/runPaths';
import { parseEventLog } from '../../protocol/run-stream/event-log';
import { summarizeEvents } from '../../protocol/run-stream/run-summary';
import { readSettings } from '../settings';

export const EXPORT_COMMAND = 'resbuilder.export';

const FORMAT_ITEMS = [
  { label: 'ONNX', description: '<name>.onnx (opset 13, NCHW, trained weights)', formats: ['onnx'] },
  { label: 'PyTorch', description: '<name>.py + <name>.safetensors (torch only)', formats: ['pytorch'] },
  { label: 'ONNX and PyTorch', description: 'both', formats: ['onnx', 'pytorch'] },
];

/** Where a finished run's files go: next to the `.arch.json` it wrote. */
function archPathOfRun(runDir: string): string | null {
  try {
    const { events } = parseEventLog(fs.readFileSync(eventsFileOf(runDir), 'utf8'), eventsFileOf(runDir));
    return summarizeEvents(events, true).archPath;
  } catch {
    return null;
  }
}

/** The `.arch.json` lens: one "Export…" above the first line. */
class ArchCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), { title: '$(export) Export…', command: EXPORT_COMMAND, arguments: [document.uri], tooltip: 'Export this network as ONNX or as a PyTorch module' })];
  }
}

function targetOf(arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (typeof arg === 'string') return arg;
  const editor = vscode.window.activeTextEditor;
  if (editor && editor.document.uri.fsPath.endsWith('.arch.json')) return editor.document.uri.fsPath;
  return undefined;
}

/** Runs `resbuilder export` with the extension's own trainer bundle; resolves with its output, rejects with its error text. */
function runExport(context: vscode.ExtensionContext, target: string, formats: string[], outDir: string): Promise<string> {
  const launch = buildTrainerLaunch({
    trainerScript: context.asAbsolutePath(path.join('dist', 'trainer.js')),
    action: { kind: 'export', target, formats, outDir },
    nodePath: readSettings().nodePath,
    hostExecPath: process.execPath,
    hostElectronVersion: process.versions.electron,
    baseEnv: process.env,
  });
  return new Promise((resolve, reject) => {
    execFile(launch.execPath, [...launch.execArgv, launch.modulePath, ...launch.args], { cwd: launch.cwd, env: launch.env, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(stderr.trim() || `${describeLaunch(launch)} failed: ${error.message}`));
      else resolve(`${stdout}${stderr}`);
    });
  });
}

async function exportCommand(context: vscode.ExtensionContext, arg: unknown): Promise<void> {
  let target = targetOf(arg);
  if (!target) {
    const picked = await vscode.window.showOpenDialog({ title: 'Export which architecture?', filters: { Architecture: ['json'] }, canSelectMany: false });
    target = picked?.[0]?.fsPath;
    if (!target) return;
  }
  const isRun = fs.existsSync(target) && fs.statSync(target).isDirectory();
  const archFile = isRun ? archPathOfRun(target) : target;
  const outDir = archFile ? path.dirname(archFile) : target;
  const choice = await vscode.window.showQuickPick(FORMAT_ITEMS, { title: `Export ${path.basename(archFile ?? target)} as` });
  if (!choice) return;
  try {
    const output = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Exporting ${path.basename(archFile ?? target)} as ${choice.label}…` },
      () => runExport(context, target, choice.formats, outDir),
    );
    const files = [...output.matchAll(/^wrote (.+)$/gm)].map((m) => path.basename(m[1]));
    const note = /^note: (.+)$/m.exec(output)?.[1];
    const message = `Exported ${files.join(', ')} to ${vscode.workspace.asRelativePath(outDir)}.${note ? ` ${note}` : ''}`;
    const action = await vscode.window.showInformationMessage(message, 'Reveal');
    if (action === 'Reveal' && files[0]) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(path.join(outDir, files[0])));
  } catch (error) {
    void vscode.window.showErrorMessage(`Export failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function registerExportCommands(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(EXPORT_COMMAND, (arg: unknown) => exportCommand(context, arg)),
    vscode.languages.registerCodeLensProvider({ scheme: 'file', pattern: '**/*.arch.json' }, new ArchCodeLensProvider()),
  );
}
