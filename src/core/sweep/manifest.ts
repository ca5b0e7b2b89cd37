/**
 * `sweep.json`, the manifest of a submitted sweep: what each task runs and where, and the job
 * array that runs it. Written by `resbuilder submit`, read by `run-task`, `status`, `cancel`,
 * `report` and the editor, so it is validated wherever it is read.
 */
import { z } from 'zod';

export const SWEEP_MANIFEST_FILE = 'sweep.json';
export const SWEEP_SCRIPT_FILE = 'sweep.sbatch';
export const SWEEP_CONFIG_FILE = 'config.yaml';

const Value = z.union([z.number(), z.string(), z.boolean(), z.null()]);

export const SweepManifestSchema = z.strictObject({
  version: z.literal(1),
  sweepId: z.string().min(1),
  /** The config the sweep was made from; `config.yaml` in the sweep folder is its text at submission. */
  configPath: z.string().min(1),
  createdAt: z.string(),
  tasks: z.array(z.strictObject({
    index: z.number().int().min(0),
    seed: z.number().int().min(0),
    settings: z.record(z.string(), Value),
    /** Run folder name under `runs/`. */
    runId: z.string().min(1),
  })).min(1),
  slurm: z.strictObject({
    /** Null until sbatch answered. */
    jobId: z.string().nullable(),
    partition: z.string().nullable(),
    time: z.string().nullable(),
    cpus: z.number().int(),
    gpus: z.number().int(),
    graceSeconds: z.number().int(),
  }),
});
export type SweepManifest = z.infer<typeof SweepManifestSchema>;

export function parseSweepManifest(text: string, file: string): SweepManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${(error as Error).message}); this is not a sweep folder resbuilder submit wrote.`);
  }
  const parsed = SweepManifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: not a sweep manifest (${issue.path.join('.') || 'top level'}: ${issue.message}).`);
  }
  return parsed.data;
}

/** `slurm.json` in a task's run folder: which job and array task ran it, once per start. */
export const TaskSlurmRecordSchema = z.strictObject({
  jobId: z.string(),
  arrayTaskId: z.number().int(),
  attempts: z.array(z.strictObject({
    jobId: z.string(),
    node: z.string(),
    restartCount: z.number().int(),
    startedAt: z.string(),
    action: z.enum(['run', 'resume', 'done']),
  })),
});
export type TaskSlurmRecord = z.infer<typeof TaskSlurmRecordSchema>;
