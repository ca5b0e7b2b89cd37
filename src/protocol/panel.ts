/**
 * Messages between the extension host and the run panel (a webview). Both directions cross a
 * process boundary, so both are validated: the host checks what the panel posts, the panel
 * checks what the host posts and ignores (with a console warning) anything it cannot read.
 *
 * Conversation: the panel posts `ready` once it has loaded; the host answers with `reset` and
 * replays the run's recorded events in one or more `events` batches, then forwards live events
 * as they arrive (also as `events`). `compare` opens the side-by-side architecture view.
 */
import { z } from 'zod';
import { ArchitectureSchema } from '../core/arch/types';
import { ProtocolError, TrainerEventSchema, type TrainerEvent } from './events';

export const ComparedArchitectureSchema = z.strictObject({
  /** Shown above the column, e.g. "committed (mnist.arch.json)" or "run 2024-05-01T10:00". */
  label: z.string(),
  architecture: ArchitectureSchema,
});
export type ComparedArchitecture = z.infer<typeof ComparedArchitectureSchema>;

export const HostMessageSchema = z.discriminatedUnion('type', [
  /** Clears the panel for a run; events of any other run id are ignored until the next reset. */
  z.strictObject({ type: z.literal('reset'), runId: z.string(), title: z.string() }),
  /** A replay batch or live events, in stream order (by `seq`). Already-seen seqs are skipped. */
  z.strictObject({ type: z.literal('events'), events: z.array(TrainerEventSchema) }),
  z.strictObject({ type: z.literal('compare'), left: ComparedArchitectureSchema, right: ComparedArchitectureSchema }),
  /**
   * The run's trainer is not running (it died, was killed, or belongs to no process of this
   * window) and its record has no final event: the panel shows the run as interrupted.
   */
  z.strictObject({ type: z.literal('trainerGone'), message: z.string(), resumable: z.boolean() }),
  /**
   * One architecture drawn on its own (the `.arch.json` editor), with no run around it; sent
   * again whenever the file changes. `error` replaces the drawing when the file does not parse.
   */
  z.strictObject({
    type: z.literal('architecture'),
    label: z.string(),
    architecture: ArchitectureSchema.nullable(),
    error: z.string().nullable(),
    /** Whether the Export… button is offered (the export command is installed). */
    canExport: z.boolean(),
  }),
]);
export type HostMessage = z.infer<typeof HostMessageSchema>;

export const PanelMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('stop') }),
  z.strictObject({ type: z.literal('resume') }),
  z.strictObject({ type: z.literal('openArchitecture') }),
  z.strictObject({ type: z.literal('compareWithCommitted') }),
  /** Export the finished run's network (ONNX / PyTorch) next to its `.arch.json`. */
  z.strictObject({ type: z.literal('export') }),
  /** From the `.arch.json` editor: compare this file with another architecture, export it, show its text. */
  z.strictObject({ type: z.literal('compareFile') }),
  z.strictObject({ type: z.literal('exportFile') }),
  z.strictObject({ type: z.literal('openText') }),
]);
export type PanelMessage = z.infer<typeof PanelMessageSchema>;
export type PanelMessageType = PanelMessage['type'];

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

export interface ParseHostMessageOptions {
  /**
   * When given, an invalid event inside an `events` batch is reported here and dropped instead
   * of rejecting the whole batch, so one corrupt line in a long recording does not blank the
   * panel. Without it the whole message is rejected.
   */
  onInvalidEvent?: (error: ProtocolError, index: number) => void;
}

const EventsEnvelopeSchema = z.strictObject({ type: z.literal('events'), events: z.array(z.unknown()) });

/** Validates a message from the extension host; `where` names its origin for the error. */
export function parseHostMessage(value: unknown, where: string, options: ParseHostMessageOptions = {}): HostMessage {
  const onInvalidEvent = options.onInvalidEvent;
  if (onInvalidEvent && typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'events') {
    const envelope = EventsEnvelopeSchema.safeParse(value);
    if (!envelope.success) {
      throw new ProtocolError(`Invalid panel message from ${where}: ${describeIssues(envelope.error)}`);
    }
    const events: TrainerEvent[] = [];
    envelope.data.events.forEach((raw, index) => {
      const result = TrainerEventSchema.safeParse(raw);
      if (result.success) events.push(result.data);
      else onInvalidEvent(new ProtocolError(`Invalid trainer event at events[${index}] from ${where}: ${describeIssues(result.error)}`), index);
    });
    return { type: 'events', events };
  }
  const result = HostMessageSchema.safeParse(value);
  if (!result.success) {
    throw new ProtocolError(`Invalid panel message from ${where}: ${describeIssues(result.error)}`);
  }
  return result.data;
}

/** Validates a message the panel posted; `where` names its origin for the error. */
export function parsePanelMessage(value: unknown, where: string): PanelMessage {
  const result = PanelMessageSchema.safeParse(value);
  if (!result.success) {
    throw new ProtocolError(`Invalid message from the run panel (${where}): ${describeIssues(result.error)}`);
  }
  return result.data;
}
