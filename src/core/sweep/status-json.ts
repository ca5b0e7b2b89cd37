/** The output of `resbuilder status --json`, which the editor reads: validated where it is read. */
import { z } from 'zod';

export const TASK_STATES = ['pending', 'requeued', 'running', 'completed', 'failed', 'cancelled', 'stopped', 'unknown'] as const;

export const SweepStatusJsonSchema = z.object({
  sweepId: z.string(),
  sweepDir: z.string(),
  configPath: z.string(),
  jobId: z.string().nullable(),
  note: z.string().nullable(),
  tasks: z.array(z.object({
    index: z.number().int(),
    seed: z.number().int(),
    settings: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
    state: z.enum(TASK_STATES),
    detail: z.string(),
    runDir: z.string(),
    slurmId: z.string().nullable(),
    schedulerState: z.string().nullable(),
    progress: z.string(),
  })),
});
export type SweepStatusJson = z.infer<typeof SweepStatusJsonSchema>;
