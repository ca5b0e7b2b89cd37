/**
 * Reads and parses a config file for the command line, where one error message lists everything,
 * and gives the path checks (file-checks.ts) Node's file system: the one module of the config
 * that touches the disk.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ConfigError, formatDiagnostic } from './diagnostics';
import { withFileChecks, type ConfigFileSystem, type FileCheckScope, type PathStatus } from './file-checks';
import { parseConfigText, type ParsedConfig } from './parse';
import type { ResolvedConfig } from './types';

function allowed(file: string, mode: number): boolean {
  try {
    accessSync(file, mode);
    return true;
  } catch {
    return false;
  }
}

/** The file system as this process sees it (symbolic links followed). */
export const nodeConfigFileSystem: ConfigFileSystem = {
  status(file: string): PathStatus {
    let stats;
    try {
      stats = statSync(file);
    } catch {
      return { kind: 'missing', readable: false, writable: false };
    }
    const kind = stats.isFile() ? 'file' : stats.isDirectory() ? 'folder' : 'other';
    // Listing a folder needs read and search (execute) permission.
    const readMode = kind === 'folder' ? constants.R_OK | constants.X_OK : constants.R_OK;
    return { kind, readable: allowed(file, readMode), writable: allowed(file, constants.W_OK) };
  },
  readText: (file: string) => readFileSync(file, 'utf8'),
};

/**
 * A config text parsed and its paths checked on this machine's disk: what the CLI, the trainer
 * and the editor's Problems panel all validate a config with. `configPath` locates relative paths.
 */
export function validateConfigText(text: string, configPath: string, scope: FileCheckScope = {}, fileSystem = nodeConfigFileSystem): ParsedConfig {
  return withFileChecks(parseConfigText(text, configPath), text, fileSystem, scope);
}

export interface LoadConfigOptions {
  /** Receives each warning, formatted as `file:line:col: warning: ...`. */
  onWarning?: (formatted: string) => void;
  /** Where the paths the config names are checked; Node's file system by default. */
  fileSystem?: ConfigFileSystem;
}

/** The resolved config of the file at `file`; throws `ConfigError` listing every problem, wrong paths included. */
export async function loadConfigFile(file: string, options: LoadConfigOptions = {}): Promise<ResolvedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(file, [], `${file}: cannot read the config file: ${reason}`);
  }
  const { config, diagnostics } = validateConfigText(text, file, {}, options.fileSystem);
  for (const d of diagnostics) if (d.severity === 'warning') options.onWarning?.(formatDiagnostic(d, file));
  if (config === null) throw new ConfigError(file, diagnostics.filter((d) => d.severity === 'error'));
  return config;
}
