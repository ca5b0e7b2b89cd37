/**
 * One identity for an event: `(runId, seq)`. The trainer numbers a run's events from 0 without
 * gaps, and a resumed trainer continues from the number of complete events in `events.jsonl`, so
 * the same run never reuses a seq (docs/run-stream.md). Pure.
 */
import type { TrainerEvent } from '../events';

export function eventKey(event: Pick<TrainerEvent, 'runId' | 'seq'>): string {
  return `${event.runId}#${event.seq}`;
}

/**
 * Merges streams of the same run (the recorded file, live IPC) into one, each event once, in
 * seq order; the order the trainer wrote the file and sent the messages does not matter.
 */
export function mergeEvents(...streams: ReadonlyArray<readonly TrainerEvent[]>): TrainerEvent[] {
  const byKey = new Map<string, TrainerEvent>();
  const runOrder = new Map<string, number>();
  for (const stream of streams) {
    for (const event of stream) {
      if (!runOrder.has(event.runId)) runOrder.set(event.runId, runOrder.size);
      if (!byKey.has(eventKey(event))) byKey.set(eventKey(event), event);
    }
  }
  return [...byKey.values()].sort((a, b) => runOrder.get(a.runId)! - runOrder.get(b.runId)! || a.seq - b.seq);
}

export type CursorVerdict = 'new' | 'duplicate' | 'other-run';

/**
 * Where a consumer is in one run's ordered stream: an event is new when its seq is past the
 * last one taken. Replay and live delivery may overlap; the overlap is a duplicate.
 */
export class StreamCursor {
  /** The last seq taken; -1 before the first. */
  lastSeq = -1;

  constructor(public runId: string | undefined = undefined) {}

  /** Takes the event when it is new; `gap` is the count of seqs skipped before it. */
  take(event: TrainerEvent): { verdict: CursorVerdict; gap: number } {
    this.runId ??= event.runId;
    if (event.runId !== this.runId) return { verdict: 'other-run', gap: 0 };
    if (event.seq <= this.lastSeq) return { verdict: 'duplicate', gap: 0 };
    const gap = event.seq - this.lastSeq - 1;
    this.lastSeq = event.seq;
    return { verdict: 'new', gap };
  }
}
