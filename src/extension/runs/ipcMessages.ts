/**
 * Validation of what a trainer process sends over IPC. A bad message is reported, never
 * thrown: one malformed event must not bring down the extension host or the run.
 */
import { ProtocolError, parseEvent, type TrainerEvent } from '../../protocol/events';

export type IpcMessageResult =
  | { kind: 'event'; event: TrainerEvent }
  | { kind: 'invalid'; error: string };

/**
 * `expectedRunId`: the run id of the stream so far (null before `run-started`); an event of
 * another run means a confused trainer and is rejected.
 */
export function classifyTrainerMessage(message: unknown, where: string, expectedRunId: string | null): IpcMessageResult {
  let event: TrainerEvent;
  try {
    event = parseEvent(message, where);
  } catch (error) {
    if (error instanceof ProtocolError) return { kind: 'invalid', error: error.message };
    return { kind: 'invalid', error: `Invalid trainer event from ${where}: ${String(error)}` };
  }
  if (expectedRunId !== null && event.runId !== expectedRunId) {
    return {
      kind: 'invalid',
      error: `Invalid trainer event from ${where}: run id "${event.runId}" does not match the run "${expectedRunId}"`,
    };
  }
  return { kind: 'event', event };
}

/** Shortens a message for the log without dumping megabytes of architecture JSON. */
export function previewMessage(message: unknown, max = 300): string {
  let text: string;
  try {
    text = JSON.stringify(message) ?? String(message);
  } catch {
    text = String(message);
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}
