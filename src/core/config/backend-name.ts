/** The TF.js backends a run can use, fastest first. */
import { z } from 'zod';

export const BackendNameSchema = z.enum(['tensorflow-gpu', 'tensorflow', 'native', 'wasm', 'cpu']);
export type BackendName = z.infer<typeof BackendNameSchema>;
