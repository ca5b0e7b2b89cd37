/**
 * Slurm in the editor (docs/cluster.md): where `sbatch` is on the extension host's PATH, a
 * "Submit to Slurm…" CodeLens on every config, asking for seeds, partition and time (the last
 * answers are remembered); the Sweeps view; Cancel and Report on a sweep or task.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readSettings } from '../settings';
import { onPath, runCli, type CliHost } from './sweepCli';
import { SweepTreeProvider, type SweepNode } from './sweepTree';

const LAST_CHOICE = 'resbuilder.slurm.lastChoice';
interface Choice { seeds: string; partition: string; time: string }

class SubmitLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!onPath('sbatch')) return [];
    return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), { title: 'Submit to Slurm…', tooltip: 'Run seeds and settings of this config as one Slurm job array', command: 'resbuilder.submitToSlurm', arguments: [document.uri] })];
  }
}

async function partitions(): Promise<string[]> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => execFile('sinfo', ['-h', '-o', '%P'], { timeout: 10_000 }, (error, stdout) => resolve(error ? [] : stdout.split('\n').map((p) => p.trim()).filter(Boolean))));
}

async function ask(context: vscode.ExtensionContext): Promise<Choice | undefined> {
  const last = context.globalState.get<Choice>(LAST_CHOICE, { seeds: '1,2,3', partition: '', time: '' });
  const seeds = await vscode.window.showInputBox({ title: 'Submit to Slurm (1/3): seeds', prompt: 'Comma-separated seeds; each runs as one array task', value: last.seeds, validateInput: (v) => (/^\s*\d+(\s*,\s*\d+)*\s*$/.test(v) ? undefined : 'e.g. 1,2,3') });
  if (seeds === undefined) return undefined;
  const found = await partitions();
  const items = [{ label: '(the cluster\'s default)', value: '' }, ...found.map((p) => ({ label: p.replace(/\*$/, ''), description: p.endsWith('*') ? 'default' : undefined, value: p.replace(/\*$/, '') }))];
  const picked = await vscode.window.showQuickPick(items.map((i) => ({ ...i, picked: i.value === last.partition })), { title: 'Submit to Slurm (2/3): partition', placeHolder: last.partition || '(the cluster\'s default)' });
  if (picked === undefined) return undefined;
  const time = await vscode.window.showInputBox({ title: 'Submit to Slurm (3/3): time limit per task', prompt: 'HH:MM:SS or D-HH:MM:SS; empty for the partition\'s limit', value: last.time, validateInput: (v) => (v === '' || /^(\d+-)?\d+(:\d{1,2}){0,2}$/.test(v) ? undefined : 'e.g. 04:00:00') });
  if (time === undefined) return undefined;
  const choice = { seeds: seeds.replace(/\s/g, ''), partition: picked.value, time };
  await context.globalState.update(LAST_CHOICE, choice);
  return choice;
}

export function registerSlurmCommands(context: vscode.ExtensionContext): void {
  const host = (): CliHost => ({ trainerScript: context.asAbsolutePath(path.join('dist', 'trainer.js')), nodePath: readSettings().nodePath });
  const tree = new SweepTreeProvider(host);
  const view = vscode.window.createTreeView('resbuilder.sweeps', { treeDataProvider: tree });
  view.onDidChangeVisibility((e) => tree.setVisible(e.visible));
  tree.setVisible(view.visible);
  const fail = (what: string) => (error: unknown) => void vscode.window.showErrorMessage(`${what}: ${(error as Error).message}`);

  context.subscriptions.push(
    tree, view,
    vscode.languages.registerCodeLensProvider({ scheme: 'file', pattern: '**/*.resbuilder.yaml' }, new SubmitLensProvider()),
    vscode.commands.registerCommand('resbuilder.submitToSlurm', async (uri?: vscode.Uri) => {
      const config = uri ?? vscode.window.activeTextEditor?.document.uri;
      if (!config) return;
      await vscode.workspace.save(config);
      const choice = await ask(context);
      if (!choice) return;
      const args = ['submit', config.fsPath, '--json', '--seeds', choice.seeds];
      if (choice.partition) args.push('--partition', choice.partition);
      if (choice.time) args.push('--time', choice.time);
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Submitting to Slurm…' }, async () => {
        const out = JSON.parse(await runCli(host(), args, path.dirname(config.fsPath))) as { sweepId: string; slurm: { jobId: string }; tasks: unknown[] };
        void vscode.window.showInformationMessage(`Submitted sweep ${out.sweepId} as job ${out.slurm.jobId} (${out.tasks.length} tasks).`);
        await vscode.commands.executeCommand('resbuilder.sweeps.focus');
        await tree.refresh();
      }).then(undefined, fail('Submit to Slurm'));
    }),
    vscode.commands.registerCommand('resbuilder.refreshSweeps', () => tree.refresh()),
    vscode.commands.registerCommand('resbuilder.cancelSweep', async (node?: SweepNode) => {
      if (!node) return;
      const target = node.kind === 'sweep' ? node.sweep.sweepDir : node.task.runDir;
      const what = node.kind === 'sweep' ? `every unfinished task of ${node.sweep.sweepId}` : `task ${node.task.index} of ${node.sweep.sweepId}`;
      if ((await vscode.window.showWarningMessage(`Cancel ${what}? A task with a checkpoint can be resumed later.`, { modal: true }, 'Cancel Tasks')) !== 'Cancel Tasks') return;
      await runCli(host(), ['cancel', target], node.sweep.sweepDir).then((out) => vscode.window.showInformationMessage(out.trim()), fail('Cancel'));
      await tree.refresh();
    }),
    // The run panel's Stop for a run whose trainer runs outside this window (a Slurm task it
    // follows): only the scheduler can stop that trainer.
    vscode.commands.registerCommand('resbuilder.cancelFollowedRun', async (runDir?: string) => {
      if (!runDir) return;
      if (!onPath('scancel')) {
        void vscode.window.showWarningMessage(`The trainer of ${path.basename(runDir)} runs outside this window and scancel is not on this machine's PATH: stop it where it runs (resbuilder cancel <run folder> on the cluster's login node).`);
        return;
      }
      if ((await vscode.window.showWarningMessage(`Cancel ${path.basename(runDir)} through Slurm? A task with a checkpoint can be resumed later.`, { modal: true }, 'Cancel Task')) !== 'Cancel Task') return;
      await runCli(host(), ['cancel', runDir], path.dirname(runDir)).then((out) => vscode.window.showInformationMessage(out.trim()), fail('Cancel'));
      await tree.refresh();
    }),
    vscode.commands.registerCommand('resbuilder.openSweepReport', async (node?: SweepNode) => {
      if (!node) return;
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Report of ${node.sweep.sweepId}…` }, async () => {
        await runCli(host(), ['report', node.sweep.sweepDir], node.sweep.sweepDir);
        await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(path.join(node.sweep.sweepDir, 'report.md')));
      }).then(undefined, fail('Sweep report'));
    }),
  );
}
