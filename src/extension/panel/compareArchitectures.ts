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

function git(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd: path.dirname(file), maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout);
    });
  });
}

/** The file's text as committed at git HEAD. */
function gitShow(file: string): Promise<string> {
  return git(file, ['show', `HEAD:./${path.basename(file)}`]);
}

/** Whether the file is inside a git repository and committed at HEAD (false outside a repository). */
export async function isCommitted(file: string): Promise<boolean> {
  try {
    await git(file, ['cat-file', '-e', `HEAD:./${path.basename(file)}`]);
    return true;
  } catch {
    return false;
  }
}

/** The version of the file committed at git HEAD; an error when there is none. */
export async function architectureAtHead(file: string): Promise<ComparedArchitecture> {
  let text: string;
  try {
    text = await gitShow(file);
  } catch {
    throw new Error(`${file} has no committed version (git HEAD): it is outside a git repository or not committed yet.`);
  }
  return { label: `committed ${path.basename(file)}`, architecture: parseArchitectureDocument(text, `HEAD:${file}`) };
}

/** The committed version of the file (git HEAD), else the file as it is on disk, labelled so. */
export async function committedArchitecture(file: string): Promise<ComparedArchitecture> {
  if (await isCommitted(file)) return architectureAtHead(file);
  const onDisk = await architectureOfFile(file);
  return { ...onDisk, label: `${onDisk.label} (not committed)` };
}

export function committedArchPathOf(record: Pick<RunRecord, 'summary'>): string | null {
  if (record.summary.archPath) return record.summary.archPath;
  return record.summary.configPath ? archPathFor(record.summary.configPath) : null;
}

export type ArchitectureChoice = vscode.QuickPickItem & { load: () => Promise<ComparedArchitecture>; file?: string };

/**
 * Every architecture there is to compare, each once: a run's last snapshot (its
 * `result.arch.json` is that same architecture, so run folders' files are not listed again),
 * each `.arch.json` on disk, and its committed version where git has one.
 */
export async function architectureChoices(records: readonly RunRecord[]): Promise<ArchitectureChoice[]> {
  const files = await vscode.workspace.findFiles('**/*.arch.json', '{**/node_modules/**,**/.resbuilder/runs/**}', 200);
  const runDirs = new Set(records.map((r) => path.resolve(r.runDir)));
  const outsideRuns = files.filter((uri) => !runDirs.has(path.dirname(path.resolve(uri.fsPath))));
  const committed = await Promise.all(outsideRuns.map((uri) => isCommitted(uri.fsPath)));
  const seenRuns = new Set<string>();
  const runs = records.filter((r) => r.summary.depth !== null && !seenRuns.has(r.runDir) && seenRuns.add(r.runDir));
  return [
    ...runs.map<ArchitectureChoice>((r) => ({
      label: `$(history) ${r.summary.configPath ? configName(r.summary.configPath) : 'run'} · ${r.runId}`,
      description: r.summary.state,
      load: () => architectureOfRun(r),
    })),
    ...outsideRuns.flatMap<ArchitectureChoice>((uri, i) => [
      { label: `$(file-code) ${vscode.workspace.asRelativePath(uri)}`, description: 'on disk', file: uri.fsPath, load: () => architectureOfFile(uri.fsPath) },
      ...(committed[i]
        ? [{ label: `$(git-commit) ${vscode.workspace.asRelativePath(uri)}`, description: 'committed (git HEAD)', load: () => architectureAtHead(uri.fsPath) }]
        : []),
    ]),
  ];
}

/** Asks for one architecture among `choices`; undefined when the user cancels. */
export async function pickArchitecture(choices: readonly ArchitectureChoice[], title: string): Promise<ArchitectureChoice | undefined> {
  if (choices.length === 0) {
    void vscode.window.showInformationMessage('Nothing to compare yet: run a search or add an .arch.json file.');
    return undefined;
  }
  return vscode.window.showQuickPick(choices, { title, matchOnDescription: true });
}

/** Asks for two architectures (runs or `.arch.json` files); undefined when the user cancels. */
export async function pickTwoArchitectures(records: readonly RunRecord[]): Promise<[ComparedArchitecture, ComparedArchitecture] | undefined> {
  const choices = await architectureChoices(records);
  const left = await pickArchitecture(choices, 'Compare architectures (1/2): left');
  if (!left) return undefined;
  const right = await pickArchitecture(
    choices.filter((c) => c !== left),
    'Compare architectures (2/2): right',
  );
  if (!right) return undefined;
  return [await left.load(), await right.load()];
}
