/**
 * Stamps trainer events and delivers them to every consumer: the run's append-only
 * `events.jsonl` (the durable record, written synchronously so a crash loses nothing already
 * emitted), the parent process over IPC when the trainer was forked, and in-process listeners
 * such as the console progress display.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROTOCOL_VERSION, TrainerEventSchema, type EventBody, type TrainerEvent } from '../../protocol/events';
import { parseEventLog } from '../../protocol/run-stream/event-log';
import type { TimeLedger } from './time-ledger';

export type EventListener = (event: TrainerEvent) => void;

/** The run folder was removed while the trainer wrote to it: nothing more can be recorded, so the run stops. */
export class RunFolderRemovedError extends Error {
  constructor(readonly runDir: string) {
    super(`The run folder ${runDir} was removed while the run was going; the trainer stopped, since it can no longer record the run. Start the run again.`);
    this.name = 'RunFolderRemovedError';
  }
}

/** Events that end a run: still delivered to the editor when the record is gone, so it hears why. */
const FINAL_EVENTS: ReadonlySet<TrainerEvent['type']> = new Set(['finished', 'failed', 'stopped']);

export class EventEmitter {
  private seq: number;
  private readonly listeners: EventListener[] = [];
  private ledger: TimeLedger | null = null;

  constructor(
    readonly runId: string,
    private readonly eventsFile: string,
    options: { firstSeq?: number; ipc?: boolean } = {},
  ) {
    this.seq = options.firstSeq ?? 0;
    // After the parent disconnected the run goes on to its checkpoint with only its record.
    if (options.ipc && process.send) this.listeners.push((event) => process.connected && process.send!(event));
  }

  onEvent(listener: EventListener): void {
    this.listeners.push(listener);
  }

  /** Charges the validation, writing and sending of every event to `ledger` (a run's time report). */
  timeWith(ledger: TimeLedger): void {
    this.ledger = ledger;
  }

  emit<E extends TrainerEvent>(body: EventBody<E>): E {
    return this.ledger ? this.ledger.time('events', () => this.write(body)) : this.write(body);
  }

  private write<E extends TrainerEvent>(body: EventBody<E>): E {
    const candidate = { v: PROTOCOL_VERSION, runId: this.runId, seq: this.seq, time: new Date().toISOString(), ...body };
    // Validating our own output keeps a malformed event from ever reaching the record.
    const event = TrainerEventSchema.parse(candidate) as E;
    this.seq += 1;
    let lost: RunFolderRemovedError | null = null;
    try {
      fs.appendFileSync(this.eventsFile, JSON.stringify(event) + '\n');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      lost = new RunFolderRemovedError(path.dirname(this.eventsFile));
    }
    if (lost && !FINAL_EVENTS.has(event.type)) throw lost;
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
