/**
 * What the run header says about a run's state, and which of its actions can work, decided from
 * the run's summary alone (no DOM), so every state has one wording and a test can state it.
 */
import { formatDuration } from '../src/core/format';
import type { RunState, RunSummary } from '../src/protocol/run-stream/run-summary';

export interface StatusLine {
  /** The badge's text. */
  label: string;
  /** The badge's colour: an interrupted run looks like a failed one. */
  tone: 'waiting' | 'running' | 'finished' | 'failed' | 'stopped';
  /** The line under the title: why the run stopped or failed, where its result went, a warning. */
  message: string;
  /** Whether the message reads as an error. */
  error: boolean;
  canStop: boolean;
  canResume: boolean;
  /** Only a finished run has the trained weights an export needs. */
  canExport: boolean;
}

const LABEL: Record<RunState, string> = {
  starting: 'waiting for events',
  running: 'running',
  finished: 'finished',
  failed: 'failed',
  stopped: 'stopped',
  interrupted: 'interrupted',
};

/** What a stopped run's header says: why it stopped and what Resume can do. */
export function stoppedText(reason: string | null, resumable: boolean): string {
  const why = reason ? `Stopped: ${reason}.` : 'Stopped.';
  return resumable ? `${why} Resume continues from the last checkpoint.` : `${why} There is no checkpoint to resume from; run it again.`;
}

/** `lastLog`: the latest warning or error the trainer logged, shown while the run goes on. */
export function statusLine(summary: RunSummary, lastLog?: { level: 'info' | 'warn' | 'error'; message: string }): StatusLine {
  const state = summary.state;
  const ended = state === 'stopped' || state === 'failed' || state === 'interrupted';
  let message = '';
  if (state === 'finished') {
    message = `Finished in ${formatDuration(summary.seconds ?? 0)}; architecture written to ${summary.archPath}`;
  } else if (state === 'stopped') {
    message = stoppedText(summary.message, summary.resumable);
  } else if (state === 'failed' || state === 'interrupted') {
    message = [summary.message, summary.hint].filter(Boolean).join(' — ');
  } else if (state === 'running' && lastLog) {
    message = `${lastLog.level}: ${lastLog.message}`;
  }
  return {
    label: LABEL[state],
    tone: state === 'starting' ? 'waiting' : state === 'interrupted' ? 'failed' : state,
    message,
    error: state === 'failed' || state === 'interrupted' || (state === 'running' && lastLog?.level === 'error'),
    canStop: state === 'running',
    canResume: ended && summary.resumable,
    canExport: state === 'finished',
  };
}
