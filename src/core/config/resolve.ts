/**
 * From what the user wrote to the full config the trainer runs: defaults ← preset ← the user's
 * settings, merged field by field within each section; relative paths resolved against the
 * config file's folder.
 */
import { homedir } from 'node:os';
import * as path from 'node:path';
import { CONFIG_DEFAULTS } from './defaults';
import { PRESETS } from './presets';
import type { ConfigInput } from './schema';
import { BUILT_IN_STARTS, type ResolvedConfig, type StartArchitecture } from './types';

/** Drops keys whose value is undefined so they do not hide an earlier layer of the merge. */
function given<T extends object>(value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `~/data` and paths relative to the config's folder become absolute. */
export function resolveConfigRelativePath(configDir: string, file: string): string {
  if (file === '~' || file.startsWith('~/')) return path.join(homedir(), file.slice(1));
  return path.resolve(configDir, file);
}

export function isBuiltInStart(start: string): start is StartArchitecture {
  return (BUILT_IN_STARTS as readonly string[]).includes(start);
}

/** `mnist-quick.resbuilder.yaml` → `mnist-quick`. */
export function configNameFromPath(configPath: string): string {
  const base = path.basename(configPath);
  const match = /^(.+?)(\.resbuilder)?\.ya?ml$/i.exec(base);
  return match ? match[1] : base;
}

export function resolveConfig(input: ConfigInput, configPath: string): ResolvedConfig {
  const absolutePath = path.resolve(configPath);
  const dir = path.dirname(absolutePath);
  const preset = input.preset ?? CONFIG_DEFAULTS.preset;
  const over = PRESETS[preset];
  const d = CONFIG_DEFAULTS;

  const dataset = {
    ...d.dataset,
    ...given(over.dataset),
    ...given(input.dataset),
    augmentation: { ...d.dataset.augmentation, ...given(over.dataset?.augmentation), ...given(input.dataset?.augmentation) },
  };
  const architecture = { ...d.architecture, ...given(over.architecture), ...given(input.architecture) };
  const name = input.name ?? configNameFromPath(absolutePath);

  return {
    configPath: absolutePath,
    name,
    mode: input.mode ?? over.mode ?? d.mode,
    preset,
    seed: input.seed ?? over.seed ?? d.seed,
    backend: input.backend ?? over.backend ?? d.backend,
    workers: input.workers ?? over.workers ?? d.workers,
    dataset: { ...dataset, path: dataset.path === null ? null : resolveConfigRelativePath(dir, dataset.path) },
    architecture: {
      ...architecture,
      start: isBuiltInStart(architecture.start) ? architecture.start : resolveConfigRelativePath(dir, architecture.start),
    },
    training: { ...d.training, ...given(over.training), ...given(input.training) },
    search: { ...d.search, ...given(over.search), ...given(input.search) },
    outputs: {
      archFile: input.outputs?.archFile !== undefined ? resolveConfigRelativePath(dir, input.outputs.archFile) : path.join(dir, `${name}.arch.json`),
      runsDir: input.outputs?.runsDir !== undefined ? resolveConfigRelativePath(dir, input.outputs.runsDir) : path.join(dir, '.resbuilder', 'runs'),
      export: [...new Set(input.outputs?.export ?? [])],
    },
  };
}
