/**
 * What `resbuilder backends install … --json` prints when it ends: whether the package was
 * installed, where, and how its probe went; or what failed and the offline alternative.
 */
import { z } from 'zod';
import { BackendModuleInfoSchema } from './backend-modules';

export const InstallableBackendSchema = z.enum(['tensorflow-gpu', 'tensorflow']);
export type InstallableBackend = z.infer<typeof InstallableBackendSchema>;

export const InstallReportSchema = z.strictObject({
  backend: InstallableBackendSchema,
  /** The npm package spec installed ("@tensorflow/tfjs-node-gpu@4.22.0", or a local tarball). */
  spec: z.string(),
  dir: z.string(),
  /** The npm command line, for the log and for running it by hand. */
  command: z.string(),
  installed: z.boolean(),
  module: BackendModuleInfoSchema.optional(),
  /** What failed, when the install did. */
  failure: z.string().optional(),
  /** What to do without internet access, when a download failed. */
  offline: z.string().optional(),
  /** The backend's probe after a successful install. */
  probe: z
    .strictObject({
      available: z.boolean(),
      why: z.string().optional(),
      imagesPerSecond: z.number().optional(),
    })
    .optional(),
});
export type InstallReport = z.infer<typeof InstallReportSchema>;
