/**
 * "ResBuilder: Check Compute Backends", "ResBuilder: Install GPU Backend…" and the status-bar
 * item that shows the compute backend and opens the check. Both commands run the trainer's
 * `resbuilder backends` (the doctor and the installer live there, next to the backends).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatDoctorReport, formatImagesPerSecond } from '../../protocol/backend-doctor-text';
import { DoctorReportSchema, type DoctorReport } from '../../protocol/backend-doctor';
import { InstallReportSchema, type InstallableBackend, type InstallReport } from '../../protocol/backend-install';
import { isConfigPath } from '../runs/runPaths';
import type { RunService } from '../runs/runService';
import { readSettings } from '../settings';
import { privateBackendDir, proxyEnvironment } from './backendLocations';
import { backendLocationsFor } from './workspaceBackendLocations';
import { runBackendsCli } from './backendsCli';

function cliEnvironment(): Record<string, string> {
  const http = vscode.workspace.getConfiguration('http');
  return proxyEnvironment(http.get<string>('proxy', ''), http.get<boolean>('proxyStrictSSL', true), process.env);
}

function lastLine(text: string): string {
  return text.length > 90 ? `${text.slice(0, 87)}…` : text;
}

class BackendTools implements vscode.Disposable {
  readonly log = vscode.window.createOutputChannel('ResBuilder Backends');
  private readonly item = vscode.window.createStatusBarItem('resbuilder.backend', vscode.StatusBarAlignment.Left, 49);
  private lastReport: DoctorReport | null = null;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly service: RunService,
  ) {
    this.item.name = 'ResBuilder compute backend';
    this.item.command = 'resbuilder.checkBackends';
    this.subscriptions.push(service.onDidChange(() => this.updateItem()), vscode.window.onDidChangeActiveTextEditor(() => this.updateItem()));
    this.updateItem();
  }

  private updateItem(): void {
    const run = this.service.manager.active.at(-1);
    const running = run?.summary.backend ?? null;
    const editor = vscode.window.activeTextEditor;
    const onConfig = editor !== undefined && isConfigPath(editor.document.uri.fsPath);
    if (running === null && !onConfig) {
      this.item.hide();
      return;
    }
    const known = running ?? this.lastReport?.auto ?? null;
    this.item.text = `$(chip) ${known ?? 'Backends'}`;
    this.item.tooltip = running !== null
      ? `The active run computes on ${running}. Click to check every compute backend here.`
      : known !== null
        ? `backend: auto takes ${known} here (last check). Click to check again.`
        : 'Click to check which compute backends work here and which one a run will take.';
    this.item.show();
  }

  private cwd(): string {
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
  }

  private async runCli(args: string[], progress: vscode.Progress<{ message?: string }>, token: vscode.CancellationToken): Promise<{ code: number | null; stdout: string }> {
    const controller = new AbortController();
    const cancel = token.onCancellationRequested(() => controller.abort());
    try {
      return await runBackendsCli({
        trainerScript: this.context.asAbsolutePath(path.join('dist', 'trainer.js')),
        args,
        cwd: this.cwd(),
        nodePath: readSettings().nodePath,
        backendLocations: backendLocationsFor(this.context)(null),
        extraEnv: cliEnvironment(),
        signal: controller.signal,
        onLog: (line) => {
          this.log.appendLine(line);
          progress.report({ message: lastLine(line) });
        },
      });
    } finally {
      cancel.dispose();
    }
  }

  private parse<T>(stdout: string, what: string, parse: (value: unknown) => T): T {
    try {
      return parse(JSON.parse(stdout));
    } catch (error) {
      throw new Error(`the trainer's ${what} report could not be read (${(error as Error).message.split('\n')[0]}); see the "ResBuilder Backends" output.`);
    }
  }

  async check(): Promise<void> {
    this.log.appendLine(`\n== Checking compute backends (${new Date().toLocaleString()})`);
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'ResBuilder: checking compute backends', cancellable: true },
        (progress, token) => this.runCli(['--json'], progress, token),
      );
      if (result.code === null) return;
      const report = this.parse(result.stdout, 'backend', (v) => DoctorReportSchema.parse(v));
      this.lastReport = report;
      this.updateItem();
      this.log.appendLine(formatDoctorReport(report));
      this.log.show(true);
      const gpu = report.backends.find((b) => b.name === 'tensorflow-gpu');
      const chosen = report.backends.find((b) => b.name === report.auto);
      const summary = chosen
        ? `Runs with backend: auto take ${chosen.name} here (${formatImagesPerSecond(chosen.imagesPerSecond)}).`
        : 'No compute backend works here.';
      const gpuNote = gpu && !gpu.available ? ` GPU: ${gpu.why[0]}.` : '';
      const actions = gpu && !gpu.available && gpu.why.some((w) => w.startsWith('missing package')) ? ['Install GPU Backend…'] : [];
      const choice = await vscode.window.showInformationMessage(`ResBuilder: ${summary}${gpuNote}`, ...actions, 'Show Details');
      if (choice === 'Install GPU Backend…') await vscode.commands.executeCommand('resbuilder.installGpuBackend');
      if (choice === 'Show Details') this.log.show();
    } catch (error) {
      void vscode.window.showErrorMessage(`ResBuilder: the backend check failed: ${(error as Error).message}`);
    }
  }

  async install(): Promise<void> {
    const privateDir = privateBackendDir(this.context.globalStorageUri.fsPath);
    const picked = await vscode.window.showQuickPick(
      [
        { label: 'tensorflow-gpu', description: '@tensorflow/tfjs-node-gpu', detail: 'libtensorflow on an NVIDIA GPU (Linux x64; needs the NVIDIA driver, CUDA 11.2 and cuDNN 8.1)', backend: 'tensorflow-gpu' as InstallableBackend },
        { label: 'tensorflow', description: '@tensorflow/tfjs-node', detail: 'libtensorflow on the CPU', backend: 'tensorflow' as InstallableBackend },
      ],
      { title: 'Install which compute backend?' },
    );
    if (!picked) return;
    const confirm = await vscode.window.showInformationMessage(
      `Install ${picked.description} into ${privateDir}?`,
      { modal: true, detail: 'npm downloads the package (at the version matching the bundled TensorFlow.js) and its install downloads libtensorflow, a few hundred MB. npm\'s own registry and proxy settings and VS Code\'s http.proxy apply.' },
      'Install',
    );
    if (confirm !== 'Install') return;
    this.log.show(true);
    this.log.appendLine(`\n== Installing ${picked.description} into ${privateDir} (${new Date().toLocaleString()})`);
    let report: InstallReport;
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `ResBuilder: installing ${picked.description}`, cancellable: true },
        (progress, token) => this.runCli(['install', picked.backend, '--dir', privateDir, '--json'], progress, token),
      );
      if (result.code === null) {
        void vscode.window.showWarningMessage('ResBuilder: the install was cancelled.');
        return;
      }
      report = this.parse(result.stdout, 'install', (v) => InstallReportSchema.parse(v));
    } catch (error) {
      void vscode.window.showErrorMessage(`ResBuilder: the install failed: ${(error as Error).message}`);
      return;
    }
    if (!report.installed) {
      this.log.appendLine(`Failed: ${report.failure ?? 'unknown error'}`);
      if (report.offline) this.log.appendLine(report.offline);
      const choice = await vscode.window.showErrorMessage(`ResBuilder: installing ${report.spec} failed: ${report.failure ?? 'unknown error'}.`, { modal: false }, 'Show Log');
      if (choice === 'Show Log') this.log.show();
      return;
    }
    const probe = report.probe;
    const works = probe?.available === true;
    const message = works
      ? `ResBuilder: ${report.backend} is installed and works here (${formatImagesPerSecond(probe?.imagesPerSecond)} on a small network).`
      : `ResBuilder: ${report.module?.package} ${report.module?.version} is installed, but ${report.backend} does not run here yet: ${probe?.why ?? 'not probed'}.`;
    this.log.appendLine(message.replace(/^ResBuilder: /, ''));
    const choice = await (works ? vscode.window.showInformationMessage(message, 'Check Compute Backends') : vscode.window.showWarningMessage(message, 'Check Compute Backends'));
    if (choice) await this.check();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
    this.log.dispose();
  }
}

/** Registers the backend commands and the backend status-bar item. */
export function registerBackendCommands(context: vscode.ExtensionContext, service: RunService): void {
  const tools = new BackendTools(context, service);
  context.subscriptions.push(
    tools,
    vscode.commands.registerCommand('resbuilder.checkBackends', () => tools.check()),
    vscode.commands.registerCommand('resbuilder.installGpuBackend', () => tools.install()),
  );
}
