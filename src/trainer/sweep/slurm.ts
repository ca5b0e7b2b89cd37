/**
 * Slurm's commands as the sweep commands call them: never through a shell (arguments go to
 * execFile as they are), with a time limit, and with errors that say what to do.
 */
import { execFile } from 'node:child_process';

export class SlurmError extends Error {}

export interface SlurmResult {
  stdout: string;
  stderr: string;
}

const HINT: Record<string, string> = {
  sbatch: 'Submit from a machine where Slurm\'s commands work (a cluster\'s login node, e.g. through VS Code Remote-SSH), or run the config here with `resbuilder run`.',
  squeue: 'The scheduler\'s view is unavailable here; the run folders still show each task\'s own record.',
  scancel: 'Cancel from a machine where Slurm\'s commands work (the cluster\'s login node).',
};

/** Runs a Slurm command; rejects with a `SlurmError` naming the command and what it said. */
export function slurm(command: 'sbatch' | 'squeue' | 'scontrol' | 'scancel' | 'sacct', args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<SlurmResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: options.cwd, timeout: options.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) {
        resolve({ stdout, stderr });
        return;
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        reject(new SlurmError(`${command} is not on the PATH, so Slurm cannot be reached from here. ${HINT[command] ?? ''}`.trim()));
        return;
      }
      const said = (stderr || stdout || error.message).trim().split('\n').slice(-3).join(' ');
      if (error.killed) reject(new SlurmError(`${command} did not answer within ${Math.round((options.timeoutMs ?? 30_000) / 1000)} s (is slurmctld up?): ${said}`));
      else reject(new SlurmError(`${command} ${args.join(' ')} failed: ${said}`));
    });
  });
}

/** `1234` or `1234;cluster` from `sbatch --parsable`. */
export function parseJobId(stdout: string): string {
  const id = stdout.trim().split(';')[0];
  if (!/^\d+$/.test(id)) throw new SlurmError(`sbatch --parsable printed "${stdout.trim()}", not a job id.`);
  return id;
}
