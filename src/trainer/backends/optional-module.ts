/**
 * Loads packages that may be absent (the tfjs-node optionalDependencies). The name is passed
 * through a variable so bundlers leave the require alone and a missing package is an error
 * at run time that the caller handles, not a build failure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export class ModuleNotInstalledError extends Error {
  constructor(readonly packageName: string) {
    super(`${packageName} is not installed`);
    this.name = 'ModuleNotInstalledError';
  }
}

function isMissing(error: unknown, packageName: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  // A MODULE_NOT_FOUND for one of the package's own imports means it is broken, not absent.
  return code === 'MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${packageName}'`);
}

/** True when `packageName` resolves from here, without loading it. */
export function isInstalled(packageName: string): boolean {
  try {
    require.resolve(packageName);
    return true;
  } catch (error) {
    // Anything else (a broken package.json, say) is reported when the package is loaded.
    return !isMissing(error, packageName);
  }
}

/**
 * True when a tfjs-node package is installed with its native addon. npm keeps the package's
 * JavaScript even when its install script could not download libtensorflow (offline
 * machines), and then only the addon under lib/napi-v<N>/ is missing.
 */
export function hasTfjsNodeAddon(packageName: string): boolean {
  let root: string;
  try {
    root = path.dirname(require.resolve(`${packageName}/package.json`));
  } catch {
    return false;
  }
  const lib = path.join(root, 'lib');
  if (!fs.existsSync(lib)) return false;
  return fs.readdirSync(lib).some((dir) => fs.existsSync(path.join(lib, dir, 'tfjs_binding.node')));
}

/** Requires `packageName`; throws ModuleNotInstalledError when it is absent. */
export function requireOptional(packageName: string): unknown {
  const load: (id: string) => unknown = require;
  try {
    return load(packageName);
  } catch (error) {
    if (isMissing(error, packageName)) throw new ModuleNotInstalledError(packageName);
    throw error;
  }
}
