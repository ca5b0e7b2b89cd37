/**
 * Checks that involve more than one setting: a source that needs files without a `path`
 * (an error), and settings that have no effect with the chosen options (warnings, because the
 * experiment still runs). They read the raw YAML data so they also run when other settings are
 * wrong, and only warn about settings the user actually wrote.
 */
import { CONFIG_DEFAULTS, SOURCES_NEEDING_PATH } from './defaults';
import { valueAt, type ConfigProblem } from './issues';
import { PRESETS, type PresetName } from './presets';
import { DATASET_SOURCES, OPTIMIZERS, SCHEDULES } from './types';

function written(data: unknown, path: readonly string[]): boolean {
  // Stryker disable next-line UnaryOperator: every setting checked here is two levels deep, where slice(0, 1) is slice(0, -1)
  const parent = valueAt(data, path.slice(0, -1));
  return parent !== null && typeof parent === 'object' && Object.hasOwn(parent, path[path.length - 1]);
}

/** The user's value when it is one of `allowed`, else the default (a wrong value is reported elsewhere). */
function effective<T extends string>(data: unknown, path: readonly string[], allowed: readonly T[], fallback: T): T {
  const value = valueAt(data, path);
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

function noEffect(data: unknown, path: string[], because: string): ConfigProblem[] {
  return written(data, path) ? [{ path, message: `has no effect ${because}`, severity: 'warning', target: 'key' }] : [];
}

export function crossFieldProblems(data: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];

  const sourceValue = valueAt(data, ['dataset', 'source']);
  const needsPath = SOURCES_NEEDING_PATH.find((s) => s === sourceValue);
  const pathValue = valueAt(data, ['dataset', 'path']);
  if (needsPath && (pathValue === undefined || pathValue === null)) {
    problems.push({
      path: ['dataset', 'path'],
      message: `expected the folder of the ${needsPath} files (source "${needsPath}" reads them from \`path\`), got ${pathValue === null ? 'null' : 'no path'}`,
      severity: 'error',
      // Stryker disable next-line StringLiteral: a missing path's value is not found, and the lookup then falls back to the dataset key, the same place as 'parent'
      target: pathValue === null ? 'value' : 'parent',
    });
  }

  const source = effective(data, ['dataset', 'source'], DATASET_SOURCES, CONFIG_DEFAULTS.dataset.source);
  if (source !== 'image-folder') {
    const because = `with source "${source}" (only "image-folder" resizes and converts images)`;
    problems.push(...noEffect(data, ['dataset', 'imageSize'], because), ...noEffect(data, ['dataset', 'channels'], because));
  }
  const optimizer = effective(data, ['training', 'optimizer'], OPTIMIZERS, CONFIG_DEFAULTS.training.optimizer);
  if (optimizer !== 'sgd') problems.push(...noEffect(data, ['training', 'momentum'], `with optimizer "${optimizer}" (only "sgd" uses it)`));
  const schedule = effective(data, ['training', 'schedule'], SCHEDULES, CONFIG_DEFAULTS.training.schedule);
  if (schedule !== 'step') {
    const because = `with schedule "${schedule}" (only "step" uses it)`;
    problems.push(...noEffect(data, ['training', 'stepEvery'], because), ...noEffect(data, ['training', 'stepFactor'], because));
  }
  problems.push(...gateWithoutValidation(data));
  return problems;
}

/**
 * A momentum gate on validation accuracy with no validation images would compare nothing (or,
 * worse, fall back to the test set the gate is meant to keep out of the search).
 */
function gateWithoutValidation(data: unknown): ConfigProblem[] {
  if (valueAt(data, ['dataset', 'validationSplit']) !== 0) return [];
  if (valueAt(data, ['mode']) === 'train' || valueAt(data, ['search', 'momentumGate']) === false) return [];
  const preset = effective<PresetName>(data, ['preset'], Object.keys(PRESETS) as PresetName[], CONFIG_DEFAULTS.preset);
  const gate = effective(data, ['search', 'gateAccuracy'], ['test', 'validation'], PRESETS[preset].search?.gateAccuracy ?? CONFIG_DEFAULTS.search.gateAccuracy);
  if (gate !== 'validation') return [];
  return [{
    path: ['dataset', 'validationSplit'],
    message: 'expected a share of the training images above 0 (e.g. 0.2): the momentum gate compares validation accuracy (search.gateAccuracy: validation), got 0. '
      + 'To gate on the test set as the authors\' code does, set search.gateAccuracy: test',
    severity: 'error',
    // Stryker disable next-line StringLiteral: only 'key' and 'parent' are told apart where a problem is placed (parse.ts), any other target reads the value
    target: 'value',
  }];
}
