/**
 * The fixed family's measured results, kept in the repository (bench/baselines/search-family.json)
 * so that a new search can be measured against the family's front without retraining the family:
 * on two cores one Fashion-MNIST family takes about three CPU-hours, and the job cache lives on one
 * machine only (docs/benchmarks.md, "Found networks against a family of fixed ResNets").
 *
 * `BENCH_DOCS=1` rewrites the record from the cache when the cache holds the family; a report
 * whose cache lacks a dataset's family reads it from here and says so.
 */
import * as fs from 'node:fs';
import { z } from 'zod';

const MemberSchema = z.object({
  depth: z.number().int().positive(),
  width: z.number().positive(),
  flops: z.number().positive(),
  /** Mean test accuracy over `seeds`, a fraction. */
  accuracy: z.number().min(0).max(1),
  sd: z.number().min(0),
  seeds: z.number().int().positive(),
  cpuSeconds: z.number().min(0),
});

const DatasetFamilySchema = z.object({
  seeds: z.array(z.number().int()).min(1),
  measured: z.string().min(1),
  members: z.array(MemberSchema).min(1),
});

const FamilyRecordSchema = z.object({
  about: z.string(),
  /** The settings every member was trained with; a report uses the record only where they match its own. */
  settings: z.object({ finalEpochs: z.number().int().positive(), style: z.string(), version: z.string() }),
  datasets: z.record(z.string(), DatasetFamilySchema),
});

export type FamilyRecord = z.infer<typeof FamilyRecordSchema>;
export type DatasetFamily = z.infer<typeof DatasetFamilySchema>;
export type RecordedMember = z.infer<typeof MemberSchema>;

/** The record at `file`, or null where there is none; a record that does not parse is an error naming the file and the field. */
export function readFamilyRecord(file: string): FamilyRecord | null {
  if (!fs.existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message}); restore it from git or delete it and rerun the family (BENCH_ONLY=family).`);
  }
  const parsed = FamilyRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}; restore it from git or rewrite it with BENCH_DOCS=1 from a cached family.`);
  }
  return parsed.data;
}

/** The recorded family of `dataset` if it was trained with the same final epochs and block style, else null. */
export function recordedFamily(record: FamilyRecord | null, dataset: string, settings: { finalEpochs: number; style: string }): DatasetFamily | null {
  if (record === null || record.settings.finalEpochs !== settings.finalEpochs || record.settings.style !== settings.style) return null;
  return record.datasets[dataset] ?? null;
}

export function writeFamilyRecord(file: string, record: FamilyRecord): void {
  FamilyRecordSchema.parse(record);
  fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
}
