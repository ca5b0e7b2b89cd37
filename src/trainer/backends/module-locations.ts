/**
 * Finds the optional backend packages in the documented order (docs/gpu.md, "Where the backend
 * packages come from"): a folder the user named → the workspace's node_modules → the private
 * folder `resbuilder backends install` fills → the trainer's own folder.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BACKEND_LOCATIONS_ENV,
  BACKEND_MODULES_ENV,
  describeModuleSource,
  parseBackendLocations,
  type BackendModuleInfo,
  type BackendModuleLocations,
  type BackendModuleSource,
} from '../../protocol/backend-modules';

/** One place a package may be, and the `node_modules` folder to look in there. */
export interface ModuleFolder {
  source: BackendModuleSource;
  /** The folder as the user or extension gave it. */
  folder: string;
  nodeModules: string;
  /** How reports name it ("the private backend folder"). */
  label: string;
}

export type ModuleLookup = { found: true; module: BackendModuleInfo } | { found: false; searched: string[] };

/**
 * The command line's private folder: the extension passes its own (in VS Code's global storage);
 * the command line keeps one per user.
 */
export function defaultPrivateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'win32') {
    return path.join(env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'), 'resbuilder', 'backend-modules');
  }
  const dataHome = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(os.homedir(), '.local', 'share');
  return path.join(dataHome, 'resbuilder', 'backend-modules');
}

/**
 * The locations this process uses: those the extension passed (validated), completed with the
 * batch-job variable, the current folder as workspace and the per-user private folder.
 */
export function locationsFromEnvironment(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): BackendModuleLocations {
  const passed = env[BACKEND_LOCATIONS_ENV];
  const locations: BackendModuleLocations = passed ? parseBackendLocations(passed) : {};
  const fromEnv = env[BACKEND_MODULES_ENV];
  if (locations.modulesPath === undefined && fromEnv) {
    locations.modulesPath = path.resolve(cwd, fromEnv);
    locations.modulesPathOrigin = 'env';
  }
  locations.workspace ??= cwd;
  locations.privateDir ??= defaultPrivateDir(env);
  return locations;
}

let current: BackendModuleLocations | undefined;

/**
 * Sets where this process (and the probe processes it starts, through the environment) looks
 * for backend packages.
 */
export function configureBackendLocations(locations: BackendModuleLocations): void {
  current = locations;
  process.env[BACKEND_LOCATIONS_ENV] = JSON.stringify(locations);
}

/** Forgets the configured locations (the next lookup reads the environment again). */
export function resetBackendLocations(): void {
  current = undefined;
  delete process.env[BACKEND_LOCATIONS_ENV];
}

export function currentBackendLocations(): BackendModuleLocations {
  current ??= locationsFromEnvironment();
  return current;
}

/** The package's folder where `require` finds it from the trainer itself. */
function trainerPackageDir(packageName: string): string | undefined {
  try {
    return path.dirname(require.resolve(`${packageName}/package.json`));
  } catch {
    return undefined;
  }
}

/** The places to look, in order. */
export function moduleFolders(locations: BackendModuleLocations): ModuleFolder[] {
  const folders: ModuleFolder[] = [];
  const add = (source: BackendModuleSource, folder: string | undefined, nodeModules?: string): void => {
    if (folder === undefined) return;
    folders.push({ source, folder, nodeModules: nodeModules ?? path.join(folder, 'node_modules'), label: describeModuleSource(source, locations) });
  };
  const named = locations.modulesPath;
  // The named folder may be an install prefix (holding node_modules) or a node_modules itself.
  add('path', named, named !== undefined && path.basename(named) === 'node_modules' ? named : undefined);
  add('workspace', locations.workspace);
  add('private', locations.privateDir);
  return folders;
}

function readVersion(dir: string): string | undefined {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof json.version === 'string' ? json.version : undefined;
  } catch {
    return undefined;
  }
}

/** Finds `packageName` in the first place that has it, without loading it. */
export function lookupBackendModule(packageName: string, locations: BackendModuleLocations = currentBackendLocations()): ModuleLookup {
  const searched: string[] = [];
  for (const folder of moduleFolders(locations)) {
    const dir = path.join(folder.nodeModules, ...packageName.split('/'));
    const version = readVersion(dir);
    if (version !== undefined) return { found: true, module: { package: packageName, version, dir, source: folder.source } };
    const missingFolder = fs.existsSync(folder.folder) ? '' : ', no such folder';
    searched.push(`${folder.label} (${folder.nodeModules}${missingFolder})`);
  }
  const dir = trainerPackageDir(packageName);
  if (dir !== undefined) {
    const version = readVersion(dir);
    if (version !== undefined) return { found: true, module: { package: packageName, version, dir, source: 'trainer' } };
  }
  searched.push(`${describeModuleSource('trainer', locations)} (${trainerNodeModules()})`);
  return { found: false, searched };
}

/** The nearest node_modules above the trainer, where `require` looks first. */
export function trainerNodeModules(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'node_modules');
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return path.join(__dirname, 'node_modules');
    dir = parent;
  }
}

/** The log line that says which package a run's backend came from. */
export function describeLoadedModule(module: BackendModuleInfo, locations: BackendModuleLocations = currentBackendLocations()): string {
  return `backend package ${module.package} ${module.version} from ${describeModuleSource(module.source, locations)}: ${module.dir}`;
}
