/**
 * The editor's way to Slurm: the same `resbuilder` CLI bundle the trainer is (dist/trainer.js),
 * run with the `resbuilder.nodePath` Node, so submitting from the editor and from a terminal
 * write the same sweep folder. Never through a shell.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { SweepStatusJsonSchema, type SweepStatusJson } from '../../core/sweep/status-json';

export interface CliHost {
  trainerScript: string;
  nodePath: string;
}

/** Whether an executable `name` is on the extension host's PATH (where the extension runs: locally, or on a Remote-SSH login node). */
export function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function runCli(host: CliHost, args: string[], cwd: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  let execPath = host.nodePath.trim();
  if (execPath === '') {
    execPath = process.execPath;
    if (process.versions.electron !== undefined) env.ELECTRON_RUN_AS_NODE = '1';
  }
  return new Promise((resolve, reject) => {
    execFile(execPath, [host.trainerScript, ...args], { cwd, env, maxBuffer: 1 << 24, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error((stderr || error.message).trim()));
      else resolve(stdout);
    });
  });
}

/** Every sweep's status with one CLI call, hence one squeue call for all their jobs. */
export async function sweepStatuses(host: CliHost, sweepDirs: string[]): Promise<SweepStatusJson[]> {
  if (sweepDirs.length === 0) return [];
  const out = await runCli(host, ['status', ...sweepDirs, '--json'], path.dirname(sweepDirs[0]));
  const value: unknown = JSON.parse(out);
  return z.array(SweepStatusJsonSchema).parse(Array.isArray(value) ? value : [value]);
}
