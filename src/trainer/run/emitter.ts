/**
 * Stamps trainer events and delivers them to every consumer: the run's append-only
 * `events.jsonl` (the durable record, written synchronously so a crash loses nothing already
 * emitted), the parent process over IPC when the trainer was forked, and in-process listeners
 * such as the console progress display.
 */
import * as fs from 'node:fs';
import { PROTOCOL_VERSION, TrainerEventSchema, type EventBody, type TrainerEvent } from '../../protocol/events';
import { parseEventLog } from '../../protocol/run-stream/event-log';

export type EventListener = (event: TrainerEvent) => void;

export class EventEmitter {
  private seq: number;
  private readonly listeners: EventListener[] = [];

  constructor(
    readonly runId: string,
    private readonly eventsFile: string,
    options: { firstSeq?: number; ipc?: boolean } = {},
  ) {
    this.seq = options.firstSeq ?? 0;
    if (options.ipc && process.send) this.listeners.push((event) => process.send!(event));
  }

  onEvent(listener: EventListener): void {
    this.listeners.push(listener);
  }

  emit<E extends TrainerEvent>(body: EventBody<E>): E {
    const candidate = { v: PROTOCOL_VERSION, runId: this.runId, seq: this.seq, time: new Date().toISOString(), ...body };
    // Validating our own output keeps a malformed event from ever reaching the record.
    const event = TrainerEventSchema.parse(candidate) as E;
    this.seq += 1;
    fs.appendFileSync(this.eventsFile, JSON.stringify(event) + '\n');
    for (const listener of this.listeners) listener(event);
    return event;
  }
}

/**
 * Reads a run's `events.jsonl` with the one torn-line policy (docs/run-stream.md): a last line
 * without its newline is left out; any other bad line stops the read, naming the line.
 */
export function readEventsFile(file: string): TrainerEvent[] {
  const log = parseEventLog(fs.readFileSync(file, 'utf8'), file);
  if (log.errors.length > 0) throw new Error(`${log.errors[0].message}; the run's event log is damaged.`);
  return log.events;
}
