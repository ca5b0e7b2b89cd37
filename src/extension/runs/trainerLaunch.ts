/**
 * How the trainer process is started: which Node runs it and with which arguments. In
 * code-server (and VS Code Server) the extension host is a plain Node; in desktop VS Code it is
 * Electron, whose binary behaves as Node only with ELECTRON_RUN_AS_NODE=1.
 */
import * as path from 'node:path';
import { BACKEND_LOCATIONS_ENV, BackendModuleLocationsSchema, type BackendModuleLocations } from '../../protocol/backend-modules';

/**
 * `backend`: handed to `--backend` (the config said `auto` and the user chose a default).
 * `backends`: the `resbuilder backends …` doctor or install, run in `cwd`.
 */
export type TrainerAction =
  | { kind: 'run'; configPath: string; backend?: string }
  | { kind: 'resume'; runDir: string }
  | { kind: 'backends'; args: string[]; cwd: string }
  /** `resbuilder export`: a run folder or an `.arch.json`, the formats, the output folder. */
  | { kind: 'export'; target: string; formats: string[]; outDir: string };

export interface TrainerLaunchInput {
  /** Absolute path of the bundled trainer (dist/trainer.js of the extension). */
  trainerScript: string;
  action: TrainerAction;
  /** The `resbuilder.nodePath` setting; empty means the extension host's own runtime. */
  nodePath: string;
  /** `process.execPath` of the extension host. */
  hostExecPath: string;
  /** `process.versions.electron` of the extension host, when it runs in Electron. */
  hostElectronVersion: string | undefined;
  baseEnv: Readonly<Record<string, string | undefined>>;
  /** Where the trainer looks for the tfjs-node packages (docs/gpu.md); validated here. */
  backendLocations?: BackendModuleLocations;
}

export interface TrainerLaunch {
  modulePath: string;
  args: string[];
  /** Node flags for the trainer; never inherited from the extension host. */
  execArgv: string[];
  execPath: string;
  env: Record<string, string>;
  cwd: string;
}

export class TrainerLaunchError extends Error {}

export function buildTrainerLaunch(input: TrainerLaunchInput): TrainerLaunch {
  if (!path.isAbsolute(input.trainerScript)) {
    throw new TrainerLaunchError(`The trainer script path must be absolute, got "${input.trainerScript}".`);
  }
  let args: string[];
  let cwd: string;
  if (input.action.kind === 'run') {
    const configPath = input.action.configPath;
    if (!path.isAbsolute(configPath)) {
      throw new TrainerLaunchError(`The config path must be absolute, got "${configPath}".`);
    }
    args = ['run', configPath, '--ipc'];
    const backend = input.action.backend;
    if (backend !== undefined && backend !== '' && backend !== 'auto') args.push('--backend', backend);
    cwd = path.dirname(configPath);
  } else if (input.action.kind === 'backends') {
    if (!path.isAbsolute(input.action.cwd)) {
      throw new TrainerLaunchError(`The folder to run \`resbuilder backends\` in must be absolute, got "${input.action.cwd}".`);
    }
    args = ['backends', ...input.action.args];
    cwd = input.action.cwd;
  } else if (input.action.kind === 'export') {
    const { target, formats, outDir } = input.action;
    if (!path.isAbsolute(target) || !path.isAbsolute(outDir)) {
      throw new TrainerLaunchError(`The export target and folder must be absolute, got "${target}" and "${outDir}".`);
    }
    args = ['export', target, '--format', formats.join(','), '--out', outDir];
    cwd = outDir;
  } else {
    const runDir = input.action.runDir;
    if (!path.isAbsolute(runDir)) {
      throw new TrainerLaunchError(`The run folder must be absolute, got "${runDir}".`);
    }
    args = ['resume', runDir, '--ipc'];
    cwd = runDir;
  }

  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.baseEnv)) {
    if (value !== undefined) env[key] = value;
  }
  // Inherited from an Electron host this would make a user-chosen Node misbehave or, the other
  // way round, an Electron binary start a GUI; set it only when Electron runs the trainer.
  delete env.ELECTRON_RUN_AS_NODE;
  // VS Code's own Node options (inspector ports, loaders) must not leak into the trainer.
  delete env.NODE_OPTIONS;
  delete env.VSCODE_INSPECTOR_OPTIONS;
  if (input.backendLocations !== undefined) {
    const parsed = BackendModuleLocationsSchema.safeParse(input.backendLocations);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TrainerLaunchError(`Backend package locations: ${issue.path.join('.')}: ${issue.message} (check the resbuilder.backendModulesPath setting).`);
    }
    env[BACKEND_LOCATIONS_ENV] = JSON.stringify(parsed.data);
  }

  const nodePath = input.nodePath.trim();
  let execPath: string;
  if (nodePath !== '') {
    execPath = nodePath;
  } else {
    execPath = input.hostExecPath;
    if (input.hostElectronVersion !== undefined) env.ELECTRON_RUN_AS_NODE = '1';
  }
  return { modulePath: input.trainerScript, args, execArgv: [], execPath, env, cwd };
}

/** The command line a user could paste into a terminal to do the same (for logs and errors). */
export function describeLaunch(launch: TrainerLaunch): string {
  const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const prefix = launch.env.ELECTRON_RUN_AS_NODE === '1' ? 'ELECTRON_RUN_AS_NODE=1 ' : '';
  return prefix + [launch.execPath, launch.modulePath, ...launch.args].map(quote).join(' ');
}
