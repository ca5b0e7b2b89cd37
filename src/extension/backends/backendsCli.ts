/**
 * Runs `resbuilder backends …` in the bundled trainer, the way runs start it (the same Node,
 * the same backend package locations), and hands back its stdout with the log lines as they come.
 */
import { fork } from 'node:child_process';
import * as readline from 'node:readline';
import { buildTrainerLaunch } from '../runs/trainerLaunch';
import type { BackendModuleLocations } from '../../protocol/backend-modules';

export interface BackendsCliInput {
  trainerScript: string;
  args: string[];
  cwd: string;
  nodePath: string;
  backendLocations: BackendModuleLocations;
  extraEnv: Record<string, string>;
  onLog: (line: string) => void;
  /** Stops the process (SIGTERM: npm and the probes end with it). */
  signal?: AbortSignal;
}

export interface BackendsCliResult {
  code: number | null;
  stdout: string;
}

export function runBackendsCli(input: BackendsCliInput): Promise<BackendsCliResult> {
  const launch = buildTrainerLaunch({
    trainerScript: input.trainerScript,
    action: { kind: 'backends', args: input.args, cwd: input.cwd },
    nodePath: input.nodePath,
    hostExecPath: process.execPath,
    hostElectronVersion: process.versions.electron,
    baseEnv: { ...process.env, ...input.extraEnv },
    backendLocations: input.backendLocations,
  });
  return new Promise((resolve, reject) => {
    const child = fork(launch.modulePath, launch.args, {
      execPath: launch.execPath,
      execArgv: launch.execArgv,
      env: launch.env,
      cwd: launch.cwd,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      signal: input.signal,
    });
    let stdout = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
    });
    if (child.stderr) readline.createInterface({ input: child.stderr }).on('line', input.onLog);
    child.on('error', (error) => {
      if (error.name === 'AbortError') return;
      reject(error);
    });
    child.on('close', (code) => resolve({ code, stdout }));
  });
}
