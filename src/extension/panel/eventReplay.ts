/**
 * Merges a run's recorded events (events.jsonl) with the ones that arrived live over IPC, so a
 * panel that (re)loads gets every event exactly once whatever the order in which the trainer
 * wrote the file and sent the message. Pure.
 */
import type { TrainerEvent } from '../../protocol/events';

/** seq alone is not unique across a resume, which may restart the stream of the same run. */
export function eventKey(e: TrainerEvent): string {
  return `${e.seq}|${e.time}|${e.type}`;
}

export function mergeEvents(recorded: readonly TrainerEvent[], live: readonly TrainerEvent[]): TrainerEvent[] {
  const seen = new Set<string>();
  const merged: TrainerEvent[] = [];
  for (const e of [...recorded, ...live]) {
    const key = eventKey(e);
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push(e);
  }
  return merged;
}

/** The last architecture snapshot of a stream, for comparisons. */
export function lastArchitecture(events: readonly TrainerEvent[]): Extract<TrainerEvent, { type: 'architecture' }> | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'architecture') return e;
  }
  return undefined;
}
