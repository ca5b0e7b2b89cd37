/**
 * Loads packages that may be absent (the tfjs-node backends), from the first place
 * module-locations.ts finds them. The package is required by its folder through a variable, so
 * bundlers leave the require alone and a missing package is an error at run time that the
 * caller handles, not a build failure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendModuleInfo } from '../../protocol/backend-modules';
import { lookupBackendModule } from './module-locations';

export class ModuleNotInstalledError extends Error {
  constructor(
    readonly packageName: string,
    readonly searched: readonly string[] = [],
  ) {
    super(`${notInstalledDetail(packageName, searched)} is not installed`);
    this.name = 'ModuleNotInstalledError';
  }
}

/** "<package>; looked in <places>", the detail of a not-installed probe result. */
export function notInstalledDetail(packageName: string, searched: readonly string[]): string {
  return searched.length > 0 ? `${packageName}; looked in ${searched.join(', ')}` : packageName;
}

/** Where the lookup searched for a package it did not find (empty when it is found). */
export function searchedFor(packageName: string): string[] {
  const lookup = lookupBackendModule(packageName);
  return lookup.found ? [] : lookup.searched;
}

/**
 * True when a tfjs-node package is installed with its native addon. npm keeps the package's
 * JavaScript even when its install script could not download libtensorflow (offline
 * machines), and then only the addon under lib/napi-v<N>/ is missing.
 */
export function hasTfjsNodeAddon(packageName: string): boolean {
  const lookup = lookupBackendModule(packageName);
  if (!lookup.found) return false;
  const lib = path.join(lookup.module.dir, 'lib');
  if (!fs.existsSync(lib)) return false;
  return fs.readdirSync(lib).some((dir) => fs.existsSync(path.join(lib, dir, 'tfjs_binding.node')));
}

const loaded = new Map<string, BackendModuleInfo>();

/** Where a package requireOptional loaded came from. */
export function loadedModuleInfo(packageName: string): BackendModuleInfo | undefined {
  return loaded.get(packageName);
}

/** Requires `packageName`; throws ModuleNotInstalledError (saying where it looked) when it is absent. */
export function requireOptional(packageName: string): unknown {
  const lookup = lookupBackendModule(packageName);
  if (!lookup.found) throw new ModuleNotInstalledError(packageName, lookup.searched);
  const load: (id: string) => unknown = require;
  const exports = load(lookup.module.dir);
  loaded.set(packageName, lookup.module);
  return exports;
}
