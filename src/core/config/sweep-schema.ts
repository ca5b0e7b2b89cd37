/**
 * The `sweep:` section of `*.resbuilder.yaml`: which seeds and which values of other settings
 * `resbuilder submit` runs as one Slurm job array, and the scheduler's resources for each task.
 * A plain `resbuilder run` ignores it. The values of `grid` are checked against the setting they
 * name in sweep-checks.ts, which needs the whole config schema.
 */
import { z } from 'zod';

/** `HH:MM:SS`, `MM:SS`, `D-HH:MM:SS` or minutes: the forms sbatch's `--time` accepts that we pass on. */
export const SLURM_TIME = /^(\d+-)?\d+(:\d{1,2}){0,2}$/;
/** Partition names: what Slurm allows in practice, and nothing a shell or sbatch would read twice. */
export const SLURM_NAME = /^[A-Za-z0-9_.-]+$/;

const seed = z.number().int().min(0).max(2 ** 32 - 1);
const scalar = z.union([z.number(), z.string(), z.boolean(), z.null()]);

export const SweepSlurmInputSchema = z.strictObject({
  partition: z.string().regex(SLURM_NAME, { error: 'expected a partition name (letters, digits, "_", "." and "-")' }).optional()
    .meta({ description: 'Slurm partition of every task (`--partition`). Default: the cluster\'s default partition.' }),
  time: z.string().regex(SLURM_TIME, { error: 'expected a time limit like "HH:MM:SS" or "D-HH:MM:SS"' }).optional()
    .meta({ description: 'Time limit of every task (`--time`), e.g. `"04:00:00"`. Default: the partition\'s limit.' }),
  cpus: z.number().int().min(1).max(1024).optional()
    .meta({ description: 'CPU cores per task (`--cpus-per-task`). Default: 1.' }),
  gpus: z.number().int().min(0).max(64).optional()
    .meta({ description: 'GPUs per task (`--gpus`); the trainer then picks the `tensorflow-gpu` backend when it is installed. Default: 0.' }),
  graceSeconds: z.number().int().min(10).max(3600).optional()
    .meta({ description: 'How long before the time limit (or on pre-emption) Slurm sends SIGTERM, so the task writes a checkpoint and can be requeued (`--signal=B:TERM@<s>`). Default: 120.' }),
});

export const SweepInputSchema = z.strictObject({
  seeds: z.array(seed).min(1).optional().meta({
    description: 'The seeds to run; every value of `grid` runs once per seed. Default: the config\'s `seed` alone.',
  }),
  grid: z.record(z.string(), z.array(scalar).min(1)).optional().meta({
    description: 'Values to try for other settings, keyed by the setting\'s dotted path, e.g. `search.targetFlops: [1.0e+7, 2.0e+7]`. Every combination runs (with every seed).',
  }),
  slurm: SweepSlurmInputSchema.optional().meta({ description: 'The scheduler\'s resources for every task of the sweep.' }),
});

export type SweepInput = z.output<typeof SweepInputSchema>;
