/**
 * The sbatch script of a sweep: one job array, one task per seed × setting. The script stays
 * readable (users read it to see what runs) and takes nothing from the user into bash without
 * quoting: `#SBATCH` lines hold only validated names and numbers and paths relative to the
 * sweep folder, and the command line quotes every path. Whether a task starts or resumes is
 * decided by `resbuilder run-task`, not here (docs/cluster.md, "Pre-emption and requeue").
 */
import { SLURM_NAME, SLURM_TIME } from '../config/sweep-schema';
import { shellQuote } from './shell';

export interface SbatchOptions {
  sweepId: string;
  /** Absolute path of the sweep folder: the job's working directory. */
  sweepDir: string;
  taskCount: number;
  partition: string | null;
  time: string | null;
  cpus: number;
  gpus: number;
  graceSeconds: number;
  /** The Node executable and the resbuilder CLI script the tasks run. */
  nodePath: string;
  cliPath: string;
  /** How many tasks may run at once (`--array=0-N%K`); null for no limit. */
  maxParallel?: number | null;
}

export const SWEEP_LOG_DIR = 'logs';

/** Throws when a value would not survive an `#SBATCH` line unchanged. */
export function checkSbatchOptions(o: Pick<SbatchOptions, 'partition' | 'time' | 'cpus' | 'gpus' | 'graceSeconds' | 'sweepId' | 'taskCount'>): void {
  const patterns = [['partition', o.partition, SLURM_NAME, 'a partition name (letters, digits, "_", "." and "-")'], ['time', o.time, SLURM_TIME, 'a time limit like HH:MM:SS or D-HH:MM:SS']] as const;
  for (const [name, value, pattern, expected] of patterns) {
    if (value !== null && !pattern.test(value)) throw new Error(`${name} "${value}": expected ${expected}`);
  }
  for (const [name, value, min] of [['cpus', o.cpus, 1], ['gpus', o.gpus, 0], ['graceSeconds', o.graceSeconds, 1], ['task count', o.taskCount, 1]] as const) {
    if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name}: expected an integer >= ${min}, got ${value}`);
  }
  if (!SLURM_NAME.test(o.sweepId)) throw new Error(`sweep id "${o.sweepId}": expected letters, digits, "_", "." and "-"`);
}

export function sbatchScript(o: SbatchOptions): string {
  checkSbatchOptions(o);
  const lines = [
    '#!/bin/bash',
    `# ResBuilder sweep ${o.sweepId}: ${o.taskCount} task${o.taskCount === 1 ? '' : 's'}, one per seed and setting (see sweep.json).`,
    '# Written by `resbuilder submit`; submit it again from this folder with `sbatch sweep.sbatch`.',
    // Stryker disable StringLiteral: comments for the reader of the script, which neither sbatch nor bash acts on
    '#',
    '# One array task per row of sweep.json. Slurm sends SIGTERM to the task (B: the batch shell,',
    '# which is the trainer itself after `exec`) this many seconds before the time limit or on',
    '# pre-emption; the trainer writes a checkpoint, and --requeue puts the task back in the queue,',
    '# where `resbuilder run-task` finds the checkpoint in the task\'s run folder and resumes.',
    // Stryker restore StringLiteral
    `#SBATCH --job-name=rb-${o.sweepId}`,
    `#SBATCH --array=0-${o.taskCount - 1}${o.maxParallel ? `%${o.maxParallel}` : ''}`,
    `#SBATCH --cpus-per-task=${o.cpus}`,
    ...(o.gpus > 0 ? [`#SBATCH --gpus=${o.gpus}`] : []),
    ...(o.partition !== null ? [`#SBATCH --partition=${o.partition}`] : []),
    ...(o.time !== null ? [`#SBATCH --time=${o.time}`] : []),
    `#SBATCH --signal=B:TERM@${o.graceSeconds}`,
    '#SBATCH --requeue',
    // Stryker disable StringLiteral: comments for the reader of the script, which neither sbatch nor bash acts on
    '# Logs (%A: the array job id, %a: the task index) go to a folder that exists before submission;',
    '# a requeued task appends to its log instead of overwriting it.',
    // Stryker restore StringLiteral
    `#SBATCH --output=${SWEEP_LOG_DIR}/%A_%a.out`,
    '#SBATCH --open-mode=append',
    '',
    'set -euo pipefail',
    `cd ${shellQuote(o.sweepDir)}`,
    // Stryker disable next-line StringLiteral: a comment for the reader of the script, which bash skips
    '# `run-task` starts the task, resumes it from its checkpoint, or does nothing when it has finished.',
    `exec ${shellQuote(o.nodePath)} ${shellQuote(o.cliPath)} run-task ${shellQuote(o.sweepDir)} "$SLURM_ARRAY_TASK_ID" --quiet`,
    '',
  ];
  return lines.join('\n');
}
