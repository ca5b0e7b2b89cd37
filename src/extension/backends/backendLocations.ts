/**
 * What the extension tells a trainer about where the tfjs-node packages are (docs/gpu.md,
 * "Where the backend packages come from"): the `resbuilder.backendModulesPath` setting, the
 * workspace folder, and the private folder in the extension's global storage. No vscode here.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { BackendModuleLocations } from '../../protocol/backend-modules';

/** The private folder inside the extension's global storage. */
export function privateBackendDir(globalStorage: string): string {
  return path.join(globalStorage, 'backend-modules');
}

export interface LocationInput {
  /** The setting as the user wrote it: absolute, `~/…`, or relative to the workspace folder. */
  settingPath: string;
  workspaceFolder: string | undefined;
  globalStorage: string;
}

export function extensionBackendLocations(input: LocationInput): BackendModuleLocations {
  const locations: BackendModuleLocations = { privateDir: privateBackendDir(input.globalStorage) };
  if (input.workspaceFolder !== undefined) locations.workspace = input.workspaceFolder;
  let named = input.settingPath.trim();
  if (named !== '') {
    if (named === '~' || named.startsWith('~/')) named = path.join(os.homedir(), named.slice(1));
    if (!path.isAbsolute(named)) {
      if (input.workspaceFolder === undefined) {
        throw new Error(`resbuilder.backendModulesPath: "${input.settingPath}" is relative and no workspace folder is open; use an absolute path.`);
      }
      named = path.resolve(input.workspaceFolder, named);
    }
    locations.modulesPath = named;
    locations.modulesPathOrigin = 'setting';
  }
  return locations;
}

/**
 * VS Code's `http.proxy` for npm and the tfjs-node install script, which read the standard
 * proxy variables (npm only when its own proxy settings are empty). Variables the user already
 * set win.
 */
export function proxyEnvironment(proxy: string, strictSSL: boolean, base: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env: Record<string, string> = {};
  const value = proxy.trim();
  if (value !== '') {
    for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) {
      if (base[name] === undefined) env[name] = value;
    }
  }
  if (!strictSSL && base.npm_config_strict_ssl === undefined) env.npm_config_strict_ssl = 'false';
  return env;
}
