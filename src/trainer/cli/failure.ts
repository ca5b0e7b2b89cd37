/**
 * What the CLI prints on stderr when a run fails, in every output mode (`--quiet` and `--ipc`
 * included): the error, how to fix it, where the stack trace is, and how to continue when the
 * run can be resumed. The run's `events.jsonl` keeps the same `failed` event.
 */
import * as path from 'node:path';
import type { TrainerEvent } from '../../protocol/events';

export type FailedEvent = Extract<TrainerEvent, { type: 'failed' }>;

/** The lines for a run that ended with `failure` (undefined if the run died before emitting one). */
export function failureReport(failure: FailedEvent | undefined, runDir: string, runFolder: string): string {
  const lines = [`failed: ${failure?.message ?? 'the run ended without saying why'}`];
  // Data errors already end their message with the fix.
  if (failure?.hint && !failure.message.includes(failure.hint)) lines.push(`fix: ${failure.hint}`);
  lines.push(`details: ${path.join(runDir, 'trainer.log')} (the full error with its stack trace)`);
  if (failure?.resumable) lines.push(`once fixed, continue with: resbuilder resume ${runFolder}`);
  return `${lines.join('\n')}\n`;
}

/** An error before any run folder exists that is not a usage or config error. */
export function unexpectedErrorReport(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `error: ${message}\n`;
}
