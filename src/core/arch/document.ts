/**
 * The exported `<config>.arch.json`: the found architecture with its measured metrics, where it
 * came from (provenance) and the ordered list of structural changes that produced it. Keys are
 * in a fixed order so the committed file diffs cleanly.
 */
import { z } from 'zod';
import type { StructuralChange } from '../search/change';
import { orderedArchitecture } from './json';
import { ARCH_DOCUMENT_VERSION, type Architecture } from './types';

export { ARCH_DOCUMENT_VERSION };


export interface ArchDocumentMetrics {
  testAccuracy: number;
  testLoss: number;
  validationAccuracy: number | null;
  params: number;
  flops: number;
  depth: number;
}

export interface ArchDocumentProvenance {
  runId: string;
  createdAt: string;
  configFile: string;
  configHash: string;
  seed: number;
  backend: string;
  dataset: { name: string; fingerprint: string; trainSize: number; validationSize: number; testSize: number };
  versions: Record<string, string>;
}

export interface ArchDocumentChange {
  index: number;
  cycle: number;
  step: number;
  change: StructuralChange;
}

export interface ArchDocument {
  schemaVersion: typeof ARCH_DOCUMENT_VERSION;
  architecture: Architecture;
  metrics: ArchDocumentMetrics;
  provenance: ArchDocumentProvenance;
  changes: ArchDocumentChange[];
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]]));
}

export function serializeArchDocument(doc: ArchDocument): string {
  const m = doc.metrics;
  const p = doc.provenance;
  const ordered = {
    schemaVersion: doc.schemaVersion,
    architecture: orderedArchitecture(doc.architecture),
    metrics: {
      testAccuracy: m.testAccuracy, testLoss: m.testLoss, validationAccuracy: m.validationAccuracy,
      params: m.params, flops: m.flops, depth: m.depth,
    },
    provenance: {
      runId: p.runId, createdAt: p.createdAt, configFile: p.configFile, configHash: p.configHash, seed: p.seed,
      backend: p.backend,
      dataset: { name: p.dataset.name, fingerprint: p.dataset.fingerprint, trainSize: p.dataset.trainSize, validationSize: p.dataset.validationSize, testSize: p.dataset.testSize },
      versions: sortedRecord(p.versions),
    },
    changes: doc.changes.map((c) => ({ index: c.index, cycle: c.cycle, step: c.step, change: c.change })),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/**
 * The parts of a document's metrics and provenance that readers besides the editor use (the
 * exporters' metadata). Lenient: a hand-written or older file may leave any of them out.
 */
export const ArchDocumentInfoSchema = z.object({
  metrics: z.object({ testAccuracy: z.number(), testLoss: z.number(), params: z.number(), flops: z.number(), depth: z.number() }).partial().optional(),
  provenance: z
    .object({
      runId: z.string(),
      createdAt: z.string(),
      configFile: z.string(),
      configHash: z.string(),
      seed: z.number(),
      backend: z.string(),
      dataset: z.object({ name: z.string(), fingerprint: z.string() }).partial(),
      versions: z.record(z.string(), z.string()),
    })
    .partial()
    .optional(),
});
export type ArchDocumentInfo = z.infer<typeof ArchDocumentInfoSchema>;
