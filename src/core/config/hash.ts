/**
 * A fingerprint of the experiment a config describes, stored with every run and `.arch.json` so
 * results can be traced to their settings. Settings that do not change the experiment (the
 * file's name and location, where outputs go, the preset's name once its values are merged) are
 * left out; data and start paths are taken relative to the config's folder so a moved or cloned
 * workspace keeps the hash.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { isBuiltInStart } from './resolve';
import type { ResolvedConfig } from './types';

function relativeToConfig(configDir: string, file: string): string {
  return path.relative(configDir, file).split(path.sep).join('/');
}

/** JSON with keys sorted at every level, so key order never changes the text. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 (hex) of the experiment-defining settings of `config`. */
export function configHash(config: ResolvedConfig): string {
  const dir = path.dirname(config.configPath);
  const { configPath: _configPath, name: _name, preset: _preset, outputs: _outputs, ...experiment } = config;
  const start = config.architecture.start;
  const hashed = {
    ...experiment,
    dataset: { ...config.dataset, path: config.dataset.path === null ? null : relativeToConfig(dir, config.dataset.path) },
    architecture: { ...config.architecture, start: isBuiltInStart(start) ? start : relativeToConfig(dir, start) },
  };
  return createHash('sha256').update(stableStringify(hashed)).digest('hex');
}
