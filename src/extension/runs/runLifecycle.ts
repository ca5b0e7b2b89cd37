/**
 * The life of one trainer process as the run manager sees it. Kept apart from the event fold
 * (src/protocol/run-stream/run-summary.ts): the fold says what the trainer reported, this says what the process is
 * doing, and a crash is exactly where the two disagree (the process is gone, the stream has
 * no final event).
 */
import type { TrainerEvent } from '../../protocol/events';

export type LifecyclePhase =
  | 'queued'
  | 'starting'
  | 'running'
  | 'stopping'
  | 'finished'
  | 'stopped'
  | 'failed'
  | 'crashed'
  | 'cancelled';

export type LifecycleInput =
  | { kind: 'launched' }
  | { kind: 'event'; event: TrainerEvent }
  | { kind: 'stop-requested' }
  | { kind: 'exit'; code: number | null; signal: string | null }
  | { kind: 'launch-error'; message: string };

const ended: ReadonlySet<LifecyclePhase> = new Set(['finished', 'stopped', 'failed', 'crashed', 'cancelled']);

export function isEnded(phase: LifecyclePhase): boolean {
  return ended.has(phase);
}

/** Phases that hold one of the `maxConcurrentRuns` slots. */
export function holdsSlot(phase: LifecyclePhase): boolean {
  return phase === 'starting' || phase === 'running' || phase === 'stopping';
}

export function nextPhase(phase: LifecyclePhase, input: LifecycleInput): LifecyclePhase {
  if (isEnded(phase)) return phase;
  switch (input.kind) {
    case 'launched':
      return phase === 'queued' ? 'starting' : phase;
    case 'stop-requested':
      if (phase === 'queued') return 'cancelled';
      return 'stopping';
    case 'launch-error':
      return 'crashed';
    case 'event':
      switch (input.event.type) {
        case 'finished':
          return 'finished';
        case 'stopped':
          return 'stopped';
        case 'failed':
          return 'failed';
        default:
          // A stop was asked for: stay "stopping" until the trainer confirms.
          return phase === 'stopping' ? 'stopping' : 'running';
      }
    case 'exit':
      // The process is gone without a final event: whatever it was doing, it crashed (a stop
      // that had to be forced by the timeout ends here too).
      return 'crashed';
  }
}
