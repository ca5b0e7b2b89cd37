/**
 * The one protocol between the trainer, the extension host and the webview. The trainer emits
 * these events; the same stream goes over IPC, into `events.jsonl` (the durable record of a
 * run) and to the CLI's console. Everything that crosses a process boundary is validated with
 * these schemas (`parseEvent`).
 */
import { z } from 'zod';
import { ArchitectureSchema } from '../core/arch/types';
import { BackendModuleInfoSchema } from './backend-modules';
import { BackendNameSchema } from '../core/config/backend-name';
import { StructuralChangeSchema } from '../core/search/change';

// The protocol is written in core's domain types; these stay importable from here for its users.
export { BackendNameSchema, type BackendName } from '../core/config/backend-name';
export { StructuralChangeSchema, type StructuralChange } from '../core/search/change';

export const PROTOCOL_VERSION = 1;

export const BackendReportSchema = z.strictObject({
  /** The backend that runs. */
  name: BackendNameSchema,
  /** Why each faster backend was not used, in selection order. */
  skipped: z.array(z.strictObject({ name: BackendNameSchema, reason: z.string() })),
  /** Threads or workers the backend uses, where that applies. */
  threads: z.number().int().min(1).optional(),
  /** The package the backend was loaded from, for the tfjs-node backends (docs/gpu.md). */
  module: BackendModuleInfoSchema.optional(),
});
export type BackendReport = z.infer<typeof BackendReportSchema>;

export const DatasetInfoSchema = z.strictObject({
  name: z.string(),
  source: z.string(),
  inputShape: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
  numClasses: z.number().int().min(2),
  classNames: z.array(z.string()).optional(),
  trainSize: z.number().int().min(0),
  validationSize: z.number().int().min(0),
  testSize: z.number().int().min(0),
  /** sha256 over the loaded images and labels, so a run records exactly which data it saw. */
  fingerprint: z.string(),
});
export type DatasetInfo = z.infer<typeof DatasetInfoSchema>;

export const PhaseKindSchema = z.enum(['train', 'scratch', 'insert', 'final', 'noreg-wi', 'noreg-ri']);
export type PhaseKind = z.infer<typeof PhaseKindSchema>;

const MetricsSchema = z.strictObject({
  loss: z.number(),
  accuracy: z.number(),
});

const base = {
  v: z.literal(PROTOCOL_VERSION),
  runId: z.string(),
  /** Position in the run's stream, from 0, without gaps. */
  seq: z.number().int().min(0),
  /** ISO-8601 time the event was emitted. */
  time: z.string(),
};

export const TrainerEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...base,
    type: z.literal('run-started'),
    mode: z.enum(['train', 'search']),
    configPath: z.string(),
    configHash: z.string(),
    config: z.record(z.string(), z.unknown()),
    seed: z.number().int(),
    backend: BackendReportSchema,
    dataset: DatasetInfoSchema,
    resumed: z.boolean(),
    versions: z.record(z.string(), z.string()),
  }),
  z.strictObject({
    ...base,
    type: z.literal('phase-started'),
    phase: PhaseKindSchema,
    /** Search position (1-based); absent for a plain training run. */
    cycle: z.number().int().optional(),
    step: z.number().int().optional(),
    epochs: z.number().int().min(0),
    label: z.string(),
  }),
  z.strictObject({
    ...base,
    type: z.literal('epoch-progress'),
    phase: PhaseKindSchema,
    epoch: z.number().int().min(1),
    epochs: z.number().int().min(1),
    batch: z.number().int().min(0),
    batches: z.number().int().min(1),
    loss: z.number(),
    accuracy: z.number(),
    imagesPerSecond: z.number(),
    etaSeconds: z.number(),
  }),
  z.strictObject({
    ...base,
    type: z.literal('epoch-end'),
    phase: PhaseKindSchema,
    epoch: z.number().int().min(1),
    epochs: z.number().int().min(1),
    train: MetricsSchema,
    validation: MetricsSchema.optional(),
    imagesPerSecond: z.number(),
    learningRate: z.number(),
    /** The MorphNet cost of the alive channels (docs/algorithm.md, "The MorphNet term") and the regularizer value, in a search. */
    aliveFlops: z.number().optional(),
    regularizer: z.number().optional(),
    seconds: z.number(),
  }),
  z.strictObject({
    ...base,
    type: z.literal('evaluation'),
    phase: PhaseKindSchema,
    split: z.enum(['validation', 'test']),
    loss: z.number(),
    accuracy: z.number(),
  }),
  z.strictObject({
    ...base,
    type: z.literal('architecture'),
    /** What this snapshot follows: the start, or a structural change (its index in the run). */
    cause: z.enum(['start', 'change', 'resume', 'final']),
    changeIndex: z.number().int().min(0).optional(),
    architecture: ArchitectureSchema,
    params: z.number().int(),
    flops: z.number(),
    depth: z.number().int(),
  }),
  z.strictObject({
    ...base,
    type: z.literal('structural-change'),
    index: z.number().int().min(0),
    cycle: z.number().int(),
    step: z.number().int(),
    change: StructuralChangeSchema,
  }),
  z.strictObject({
    ...base,
    type: z.literal('checkpoint'),
    path: z.string(),
    label: z.string(),
  }),
  z.strictObject({
    ...base,
    type: z.literal('log'),
    level: z.enum(['info', 'warn', 'error']),
    message: z.string(),
  }),
  z.strictObject({
    ...base,
    type: z.literal('finished'),
    archPath: z.string(),
    modelDir: z.string(),
    test: MetricsSchema,
    params: z.number().int(),
    flops: z.number(),
    seconds: z.number(),
  }),
  z.strictObject({
    ...base,
    type: z.literal('stopped'),
    /** The run can be continued with `resbuilder resume <runDir>`. */
    resumable: z.boolean(),
    reason: z.string(),
  }),
  z.strictObject({
    ...base,
    type: z.literal('failed'),
    message: z.string(),
    /** What the user can do about it. */
    hint: z.string().optional(),
    resumable: z.boolean(),
  }),
]);
export type TrainerEvent = z.infer<typeof TrainerEventSchema>;
export type TrainerEventType = TrainerEvent['type'];
/** An event before the emitter stamps it with version, run id, sequence number and time. */
export type EventBody<E extends TrainerEvent = TrainerEvent> = E extends TrainerEvent
  ? Omit<E, 'v' | 'runId' | 'seq' | 'time'>
  : never;

/** Commands from the extension host to the trainer (over IPC). */
export const TrainerCommandSchema = z.discriminatedUnion('type', [
  z.strictObject({ v: z.literal(PROTOCOL_VERSION), type: z.literal('stop') }),
]);
export type TrainerCommand = z.infer<typeof TrainerCommandSchema>;

export class ProtocolError extends Error {}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** Validates one event that crossed a process boundary; `where` names its origin for the error. */
export function parseEvent(value: unknown, where: string): TrainerEvent {
  const result = TrainerEventSchema.safeParse(value);
  if (!result.success) {
    throw new ProtocolError(`Invalid trainer event from ${where}: ${describeIssues(result.error)}`);
  }
  return result.data;
}

export function parseCommand(value: unknown, where: string): TrainerCommand {
  const result = TrainerCommandSchema.safeParse(value);
  if (!result.success) {
    throw new ProtocolError(`Invalid command from ${where}: ${describeIssues(result.error)}`);
  }
  return result.data;
}
