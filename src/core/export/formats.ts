/** The formats the found network can be exported to (docs/export.md). */
import { z } from 'zod';

export const ExportFormatSchema = z.enum(['onnx', 'pytorch']);
export type ExportFormat = z.infer<typeof ExportFormatSchema>;
export const EXPORT_FORMATS = ExportFormatSchema.options;
