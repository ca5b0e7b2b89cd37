/** Reads and parses a config file for the command line, where one error message lists everything. */
import { readFile } from 'node:fs/promises';
import { ConfigError, formatDiagnostic } from './diagnostics';
import { parseConfigText } from './parse';
import type { ResolvedConfig } from './types';

export interface LoadConfigOptions {
  /** Receives each warning, formatted as `file:line:col: warning: ...`. */
  onWarning?: (formatted: string) => void;
}

/** The resolved config of the file at `file`; throws `ConfigError` listing every problem. */
export async function loadConfigFile(file: string, options: LoadConfigOptions = {}): Promise<ResolvedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(file, [], `${file}: cannot read the config file: ${reason}`);
  }
  const { config, diagnostics } = parseConfigText(text, file);
  for (const d of diagnostics) if (d.severity === 'warning') options.onWarning?.(formatDiagnostic(d, file));
  if (config === null) throw new ConfigError(file, diagnostics.filter((d) => d.severity === 'error'));
  return config;
}
