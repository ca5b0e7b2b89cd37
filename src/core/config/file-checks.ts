/**
 * The files and folders a config names, checked when the config is validated: the start
 * architecture, the dataset folder and the output locations. A wrong path is then an error at
 * its place in the YAML, in the Problems panel and on the command line before any data is loaded,
 * rather than a raw `ENOENT` once the run has started.
 *
 * The file system is passed in (`ConfigFileSystem`), so these checks stay free of I/O: the CLI and
 * the editor hand in Node's (`nodeConfigFileSystem` in load.ts), tests any state they need.
 */
import * as path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ArchitectureFileError, parseArchitectureDocument } from '../arch/json';
import { SOURCES_NEEDING_PATH } from './defaults';
import type { ConfigDiagnostic } from './diagnostics';
import type { ParsedConfig } from './parse';
import { BUILT_IN_STARTS, type DatasetSource, type ResolvedConfig } from './types';
import { locate, toRange } from './yaml-locate';

export interface PathStatus {
  kind: 'file' | 'folder' | 'other' | 'missing';
  readable: boolean;
  writable: boolean;
}

/** What the checks need to know about the disk. Paths are absolute. */
export interface ConfigFileSystem {
  status(file: string): PathStatus;
  readText(file: string): string;
}

/** Which of a config's paths to check; all by default. */
export interface FileCheckScope {
  /** `architecture.start` (a resumed run continues from its checkpoint instead). */
  start?: boolean;
}

type SettingPath = ['architecture', 'start'] | ['dataset', 'path'] | ['outputs', 'runsDir' | 'archFile'];

interface FileProblem {
  path: SettingPath;
  message: string;
}

/** Where each source's files come from, for the fix of a wrong `dataset.path`. */
const DATASET_FOLDERS: Record<DatasetSource, string> = {
  mnist: 'nothing (the digits are built in)',
  'fashion-mnist': 'the folder with the Fashion-MNIST IDX files (train-images-idx3-ubyte, … t10k-labels-idx1-ubyte)',
  idx: 'the folder with the four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte)',
  cifar10: 'the folder the CIFAR-10 binary version was extracted into (cifar-10-batches-bin, with data_batch_1.bin … test_batch.bin)',
  cifar100: 'the folder the CIFAR-100 binary version was extracted into (cifar-100-binary, with train.bin and test.bin)',
  'image-folder': 'a folder with one sub-folder of images per class',
};

const RELATIVE = 'relative paths start from the config file\'s folder';

function startProblems(file: string, fs: ConfigFileSystem): string[] {
  const fix = `Point architecture.start at an .arch.json a run wrote (the <config>.arch.json next to a config, or result.arch.json in a run folder; ${RELATIVE}), or use ${BUILT_IN_STARTS.join(', ')}.`;
  const status = fs.status(file);
  if (status.kind === 'missing') return [`no such file: ${file}. ${fix}`];
  if (status.kind !== 'file') return [`${file} is ${status.kind === 'folder' ? 'a folder' : 'not a regular file'}, expected an .arch.json file. ${fix}`];
  if (!status.readable) return [`${file} is not readable (permission denied). Give the user running the search read access to it.`];
  try {
    parseArchitectureDocument(fs.readText(file), file);
    return [];
  } catch (error) {
    if (error instanceof ArchitectureFileError) return [`not a usable architecture: ${error.message}`];
    return [`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}. ${fix}`];
  }
}

function datasetProblems(config: ResolvedConfig, fs: ConfigFileSystem): string[] {
  const { source, path: folder } = config.dataset;
  // The built-in digits need no path; fashion-mnist reads one only where its package is missing, so only a given one is checked.
  if (folder === null || source === 'mnist') return [];
  if (source !== 'fashion-mnist' && !(SOURCES_NEEDING_PATH as readonly string[]).includes(source)) return [];
  const fix = `Point dataset.path at ${DATASET_FOLDERS[source]}; ${RELATIVE}.`;
  const status = fs.status(folder);
  if (status.kind === 'missing') return [`no such folder: ${folder}. ${fix}`];
  if (status.kind !== 'folder') return [`${folder} is ${status.kind === 'file' ? 'a file' : 'not a folder'}, expected a folder. ${fix}`];
  if (!status.readable) return [`${folder} is not readable (permission denied). Give the user running the search read access to it.`];
  return [];
}

/** The closest existing ancestor of a path that does not exist yet (where it would be created). */
function existingAncestor(file: string, fs: ConfigFileSystem): { folder: string; status: PathStatus } {
  let folder = path.dirname(file);
  for (;;) {
    const status = fs.status(folder);
    const parent = path.dirname(folder);
    if (status.kind !== 'missing' || parent === folder) return { folder, status };
    folder = parent;
  }
}

function outputProblems(setting: 'runsDir' | 'archFile', target: string, fs: ConfigFileSystem): string[] {
  const wanted = setting === 'runsDir' ? 'folder' : 'file';
  const fix = `Set outputs.${setting} to a ${wanted} the user running the search may write (${RELATIVE}).`;
  const status = fs.status(target);
  if (status.kind !== 'missing') {
    if (status.kind !== wanted) return [`${target} is ${status.kind === 'other' ? 'not a regular file or folder' : `a ${status.kind}`}, expected a ${wanted}. ${fix}`];
    if (!status.writable) return [`${target} is not writable (permission denied). ${fix}`];
    return [];
  }
  const { folder, status: above } = existingAncestor(target, fs);
  if (above.kind !== 'folder') return [`cannot create ${target}: ${folder} is ${above.kind === 'missing' ? 'missing' : 'not a folder'}. ${fix}`];
  if (!above.writable) return [`cannot create ${target}: ${folder} is not writable (permission denied). ${fix}`];
  return [];
}

/** Every problem with the paths of a resolved config, by setting. */
function fileProblems(config: ResolvedConfig, fs: ConfigFileSystem, scope: FileCheckScope): FileProblem[] {
  const problems: FileProblem[] = [];
  const { start } = config.architecture;
  if (scope.start !== false && !(BUILT_IN_STARTS as readonly string[]).includes(start)) {
    problems.push(...startProblems(start, fs).map((message) => ({ path: ['architecture', 'start'] as SettingPath, message })));
  }
  problems.push(...datasetProblems(config, fs).map((message) => ({ path: ['dataset', 'path'] as SettingPath, message })));
  for (const setting of ['runsDir', 'archFile'] as const) {
    problems.push(...outputProblems(setting, config.outputs[setting], fs).map((message) => ({ path: ['outputs', setting] as SettingPath, message })));
  }
  return problems;
}

/**
 * Diagnostics for the paths of `config`, placed at their settings in `text` (the YAML the config
 * was parsed from). A setting the text leaves out (a default output folder) is reported at the
 * closest section, or at the start of the file.
 */
export function checkConfigFiles(text: string, config: ResolvedConfig, fs: ConfigFileSystem, scope: FileCheckScope = {}): ConfigDiagnostic[] {
  const problems = fileProblems(config, fs, scope);
  if (problems.length === 0) return [];
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return problems.map((problem) => {
    const found = locate(doc, problem.path);
    return {
      message: problem.message,
      path: problem.path,
      severity: 'error',
      range: toRange(lineCounter, found.value ?? found.deepestKey ?? [0, 0]),
    };
  });
}

/** `parseConfigText`'s result with the path checks added: a config whose paths are wrong is no config. */
export function withFileChecks(parsed: ParsedConfig, text: string, fs: ConfigFileSystem, scope: FileCheckScope = {}): ParsedConfig {
  if (parsed.config === null) return parsed;
  const problems = checkConfigFiles(text, parsed.config, fs, scope);
  if (problems.length === 0) return parsed;
  const diagnostics = [...parsed.diagnostics, ...problems].sort((x, y) => x.range.start.offset - y.range.start.offset);
  return { config: null, diagnostics };
}
