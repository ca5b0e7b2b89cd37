/** Where a config's runs and results live on disk (docs/architecture.md, "Files a run leaves"). */
import * as path from 'node:path';

export const CONFIG_SUFFIX = '.resbuilder.yaml';
export const RUNS_SUBDIR = path.join('.resbuilder', 'runs');
export const EVENTS_FILE = 'events.jsonl';

export function isConfigPath(filePath: string): boolean {
  return path.basename(filePath).endsWith(CONFIG_SUFFIX) && path.basename(filePath).length > CONFIG_SUFFIX.length;
}

/** `mnist-quick.resbuilder.yaml` → `mnist-quick`. */
export function configName(configPath: string): string {
  const base = path.basename(configPath);
  return base.endsWith(CONFIG_SUFFIX) ? base.slice(0, -CONFIG_SUFFIX.length) : base.replace(/\.ya?ml$/, '');
}

/**
 * The folder of a config's run folders: the config's `outputs.runsDir` when it sets one
 * (relative to the config's folder), else `.resbuilder/runs` beside the config.
 */
export function runsDirFor(configPath: string, outputsRunsDir?: string | null): string {
  const dir = path.dirname(configPath);
  if (outputsRunsDir && outputsRunsDir.trim() !== '') return path.resolve(dir, outputsRunsDir);
  return path.join(dir, RUNS_SUBDIR);
}

/** The committed result: the config's `outputs.archFile`, else `<config name>.arch.json` beside it. */
export function archPathFor(configPath: string, outputsArchFile?: string | null): string {
  const dir = path.dirname(configPath);
  if (outputsArchFile && outputsArchFile.trim() !== '') return path.resolve(dir, outputsArchFile);
  return path.join(dir, `${configName(configPath)}.arch.json`);
}

export function eventsFileOf(runDir: string): string {
  return path.join(runDir, EVENTS_FILE);
}
