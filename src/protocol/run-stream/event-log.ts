/**
 * Reading a run's `events.jsonl` (docs/run-stream.md). The trainer appends one JSON event per
 * line, newline last, so a line without its newline is still being written (or was torn by a
 * kill): it is left out until it is complete. Any other line that is not a valid event is
 * reported with its line number and never silently dropped. Pure: callers read the file.
 */
import { parseEvent, type TrainerEvent } from '../events';

export interface EventLogError {
  /** 1-based line number in the file. */
  line: number;
  /** `<where>:<line>: what is wrong`, ready to show. */
  message: string;
}

export interface ParsedEventLog {
  events: TrainerEvent[];
  /** Lines that are complete but not valid events. */
  errors: EventLogError[];
  /** Bytes of text up to the end of the last complete line (where an append must continue). */
  completeLength: number;
}

export function parseEventLog(text: string, where: string): ParsedEventLog {
  const end = text.lastIndexOf('\n') + 1;
  const lines = text.slice(0, end).split('\n');
  lines.pop(); // the empty string after the last newline
  const events: TrainerEvent[] = [];
  const errors: EventLogError[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const at = `${where}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      errors.push({ line: i + 1, message: `${at}: not JSON` });
      return;
    }
    try {
      events.push(parseEvent(value, at));
    } catch (error) {
      errors.push({ line: i + 1, message: error instanceof Error ? error.message : String(error) });
    }
  });
  return { events, errors, completeLength: end };
}
