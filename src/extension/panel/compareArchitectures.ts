/**
 * Finds the two architectures to compare: a run's last snapshot, an `.arch.json` on disk, or
 * the version of an `.arch.json` committed in git (what a pull request would diff against).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseArchitectureDocument } from '../../core/arch/json';
import type { ComparedArchitecture } from '../../protocol/panel';
import { readRunEvents, type RunRecord } from '../runs/runCatalog';
import { archPathFor, configName } from '../runs/runPaths';
import type { TrainerEvent } from '../../protocol/events';

/** The last architecture snapshot of a stream. */
function lastArchitecture(events: readonly TrainerEvent[]): Extract<TrainerEvent, { type: 'architecture' }> | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'architecture') return e;
  }
  return undefined;
}

export async function architectureOfRun(record: Pick<RunRecord, 'runDir' | 'runId' | 'summary'>): Promise<ComparedArchitecture> {
  const log = await readRunEvents(record.runDir);
  const snapshot = lastArchitecture(log.events);
  if (!snapshot) throw new Error(`The run ${record.runId} (${record.runDir}) has recorded no architecture yet.`);
  const name = record.summary.configPath ? configName(record.summary.configPath) : 'run';
  return { label: `${name} · run ${record.runId}`, architecture: snapshot.architecture };
}

export async function architectureOfFile(file: string): Promise<ComparedArchitecture> {
  const text = await fs.readFile(file, 'utf8');
  return { label: path.basename(file), architecture: parseArchitectureDocument(text, file) };
}

function gitShow(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', ['show', `HEAD:./${path.basename(file)}`], { cwd: path.dirname(file), maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout);
    });
  });
}

/** The committed version of the file (git HEAD), else the file as it is on disk. */
export async function committedArchitecture(file: string): Promise<ComparedArchitecture> {
  try {
    const text = await gitShow(file);
    return { label: `committed ${path.basename(file)}`, architecture: parseArchitectureDocument(text, `HEAD:${file}`) };
  } catch {
    const onDisk = await architectureOfFile(file);
    return { ...onDisk, label: `${onDisk.label} (not committed)` };
  }
}

export function committedArchPathOf(record: Pick<RunRecord, 'summary'>): string | null {
  if (record.summary.archPath) return record.summary.archPath;
  return record.summary.configPath ? archPathFor(record.summary.configPath) : null;
}

type Choice = vscode.QuickPickItem & { load: () => Promise<ComparedArchitecture> };

/** Asks for two architectures (runs or `.arch.json` files); undefined when the user cancels. */
export async function pickTwoArchitectures(records: readonly RunRecord[]): Promise<[ComparedArchitecture, ComparedArchitecture] | undefined> {
  const files = await vscode.workspace.findFiles('**/*.arch.json', '**/node_modules/**', 200);
  const choices: Choice[] = [
    ...records
      .filter((r) => r.summary.depth !== null)
      .map<Choice>((r) => ({
        label: `$(history) ${r.summary.configPath ? configName(r.summary.configPath) : 'run'} · ${r.runId}`,
        description: r.summary.state,
        load: () => architectureOfRun(r),
      })),
    ...files.flatMap<Choice>((uri) => [
      { label: `$(file-code) ${vscode.workspace.asRelativePath(uri)}`, description: 'on disk', load: () => architectureOfFile(uri.fsPath) },
      { label: `$(git-commit) ${vscode.workspace.asRelativePath(uri)}`, description: 'committed (git HEAD)', load: () => committedArchitecture(uri.fsPath) },
    ]),
  ];
  if (choices.length === 0) {
    void vscode.window.showInformationMessage('Nothing to compare yet: run a search or add an .arch.json file.');
    return undefined;
  }
  const left = await vscode.window.showQuickPick(choices, { title: 'Compare architectures (1/2): left', matchOnDescription: true });
  if (!left) return undefined;
  const right = await vscode.window.showQuickPick(
    choices.filter((c) => c !== left),
    { title: 'Compare architectures (2/2): right', matchOnDescription: true },
  );
  if (!right) return undefined;
  return [await left.load(), await right.load()];
}
