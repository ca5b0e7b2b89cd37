/**
 * What `resbuilder backends --json` prints: every compute backend, whether it works here and
 * why not, how to fix it, and what it would run with. The extension reads it from the trainer's
 * output and validates it with this schema.
 */
import { z } from 'zod';
import { BackendModuleInfoSchema } from './backend-modules';
import { BackendNameSchema } from './events';

export const DoctorBackendSchema = z.strictObject({
  name: BackendNameSchema,
  available: z.boolean(),
  /** Why it cannot run here (several reasons for the GPU backend). */
  why: z.array(z.string()),
  /** What to do about each reason. */
  fix: z.array(z.string()),
  threads: z.number().int().min(1).optional(),
  /** GPUs it would use (tensorflow-gpu). */
  devices: z.array(z.string()).optional(),
  /** Images per second of the doctor's small training probe. */
  imagesPerSecond: z.number().optional(),
  detail: z.string().optional(),
  module: BackendModuleInfoSchema.optional(),
});
export type DoctorBackend = z.infer<typeof DoctorBackendSchema>;

export const DoctorReportSchema = z.strictObject({
  backends: z.array(DoctorBackendSchema),
  /** The backend a run with `backend: auto` takes: the first available one. */
  auto: BackendNameSchema.nullable(),
  /** Where the backend packages are looked for, in order. */
  locations: z.array(z.strictObject({ label: z.string(), path: z.string() })),
  /** Length of each training-speed probe, 0 when skipped. */
  speedProbeSeconds: z.number(),
  gpu: z.strictObject({
    platform: z.string(),
    driver: z.string().optional(),
    devices: z.array(z.string()),
    libraries: z.array(z.strictObject({ name: z.string(), found: z.boolean(), detail: z.string().optional() })),
  }),
});
export type DoctorReport = z.infer<typeof DoctorReportSchema>;
