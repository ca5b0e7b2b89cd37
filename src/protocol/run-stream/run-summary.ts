/**
 * A run's summary folded from its event stream. The same fold serves the live run (events over
 * IPC) and a run read back from `events.jsonl`, so the run view, the status bar and the
 * CodeLens all agree on what a run is doing (docs/run-stream.md). Pure: no vscode, no file system.
 */
import { formatFlops, formatPercent } from '../../core/format';
import type { PhaseKind, TrainerEvent } from '../events';

/**
 * - `starting`: the trainer was launched and has not sent `run-started` yet.
 * - `interrupted`: the stream ends without `finished`, `stopped` or `failed` (the process died).
 */
export type RunState = 'starting' | 'running' | 'finished' | 'failed' | 'stopped' | 'interrupted';

export interface RunSummary {
  runId: string | null;
  state: RunState;
  /** True when `resbuilder resume <runDir>` can continue the run from a checkpoint. */
  resumable: boolean;
  mode: 'train' | 'search' | null;
  configPath: string | null;
  startedAt: string | null;
  updatedAt: string | null;
  backend: string | null;
  phase: { kind: PhaseKind; label: string; cycle?: number; step?: number } | null;
  epoch: { epoch: number; epochs: number } | null;
  /** Latest validation accuracy (else training accuracy) seen at an epoch end. */
  accuracy: number | null;
  testAccuracy: number | null;
  depth: number | null;
  params: number | null;
  flops: number | null;
  /** Structural changes so far (inserts, deletes, resizes, and the skipped ones). */
  changes: number;
  lastCheckpoint: string | null;
  archPath: string | null;
  modelDir: string | null;
  /** Why the run failed or stopped, for the user. */
  message: string | null;
  hint: string | null;
  seconds: number | null;
  lastSeq: number;
  eventCount: number;
}

export function initialSummary(): RunSummary {
  return {
    runId: null,
    state: 'starting',
    resumable: false,
    mode: null,
    configPath: null,
    startedAt: null,
    updatedAt: null,
    backend: null,
    phase: null,
    epoch: null,
    accuracy: null,
    testAccuracy: null,
    depth: null,
    params: null,
    flops: null,
    changes: 0,
    lastCheckpoint: null,
    archPath: null,
    modelDir: null,
    message: null,
    hint: null,
    seconds: null,
    lastSeq: -1,
    eventCount: 0,
  };
}

export function isTerminal(state: RunState): boolean {
  return state === 'finished' || state === 'failed' || state === 'stopped' || state === 'interrupted';
}

/** Folds one event into a summary; returns a new object and leaves the input untouched. */
export function foldEvent(summary: RunSummary, event: TrainerEvent): RunSummary {
  const s: RunSummary = { ...summary, eventCount: summary.eventCount + 1, updatedAt: event.time };
  s.lastSeq = Math.max(summary.lastSeq, event.seq);
  // run-started names the run; anything before it only stands in.
  if (s.runId === null || event.type === 'run-started') s.runId = event.runId;
  switch (event.type) {
    case 'run-started':
      s.state = 'running';
      s.resumable = s.lastCheckpoint !== null;
      s.mode = event.mode;
      s.configPath = event.configPath;
      s.startedAt ??= event.time;
      s.backend = event.backend.name;
      s.message = null;
      s.hint = null;
      break;
    case 'phase-started':
      s.state = 'running';
      s.phase = { kind: event.phase, label: event.label, cycle: event.cycle, step: event.step };
      s.epoch = null;
      break;
    case 'epoch-progress':
      s.epoch = { epoch: event.epoch, epochs: event.epochs };
      break;
    case 'epoch-end':
      s.epoch = { epoch: event.epoch, epochs: event.epochs };
      s.accuracy = event.validation?.accuracy ?? event.train.accuracy;
      break;
    case 'evaluation':
      if (event.split === 'test') s.testAccuracy = event.accuracy;
      else s.accuracy = event.accuracy;
      break;
    case 'architecture':
      s.depth = event.depth;
      s.params = event.params;
      s.flops = event.flops;
      break;
    case 'structural-change':
      s.changes = summary.changes + 1;
      break;
    case 'checkpoint':
      s.lastCheckpoint = event.path;
      s.resumable = true;
      break;
    case 'log':
      break;
    case 'finished':
      s.state = 'finished';
      s.resumable = false;
      s.archPath = event.archPath;
      s.modelDir = event.modelDir;
      s.testAccuracy = event.test.accuracy;
      s.params = event.params;
      s.flops = event.flops;
      s.seconds = event.seconds;
      break;
    case 'stopped':
      s.state = 'stopped';
      s.resumable = event.resumable;
      s.message = event.reason;
      break;
    case 'failed':
      s.state = 'failed';
      s.resumable = event.resumable;
      s.message = event.message;
      s.hint = event.hint ?? null;
      break;
  }
  return s;
}

export function summarizeEvents(events: readonly TrainerEvent[], ended: boolean): RunSummary {
  let s = initialSummary();
  for (const e of events) s = foldEvent(s, e);
  return ended ? markEnded(s) : s;
}

/**
 * The process (or the file's writer) is gone: a stream without a final event means the trainer
 * died. It stays resumable when it had written a checkpoint.
 */
export function markEnded(summary: RunSummary, detail?: string): RunSummary {
  if (isTerminal(summary.state)) return summary;
  return {
    ...summary,
    state: 'interrupted',
    resumable: summary.lastCheckpoint !== null,
    message: detail ?? 'The trainer ended without reporting a result.',
  };
}

/** The state shown to the user: a stopped or broken run that can continue is "resumable". */
export function displayState(summary: RunSummary): RunState | 'resumable' {
  if (summary.resumable && (summary.state === 'stopped' || summary.state === 'failed' || summary.state === 'interrupted')) {
    return 'resumable';
  }
  return summary.state;
}

/** Compact result line for lists and tooltips, e.g. "test 97.10 % · depth 9 · 1.20 MFLOPs". */
export function describeResult(summary: RunSummary): string {
  const parts: string[] = [];
  if (summary.testAccuracy !== null) parts.push(`test ${formatPercent(summary.testAccuracy)}`);
  else if (summary.accuracy !== null) parts.push(`acc ${formatPercent(summary.accuracy)}`);
  if (summary.depth !== null) parts.push(`depth ${summary.depth}`);
  if (summary.flops !== null) parts.push(formatFlops(summary.flops));
  return parts.join(' · ');
}
