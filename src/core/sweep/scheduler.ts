/**
 * What Slurm says about a sweep's tasks, read from `squeue` (no accounting database assumed)
 * and, where it answers, `sacct`; and the state a task is in when the scheduler's view and the
 * run's own record (events.jsonl, heartbeat) are put together. The run's record wins where it
 * knows better: a task Slurm calls COMPLETED may still have failed inside.
 */

export interface SchedulerEntry {
  /** `1234_5`: the array job and task. */
  id: string;
  state: string;
  reason: string;
}

/** The `--format` squeue and sacct are asked for, and the parser of their lines. */
export const SQUEUE_FORMAT = '%i|%T|%r';

/** One entry per `<job>_<task>` line of `squeue -h -r -t all -o '%i|%T|%r'` (or `sacct -n -P -o JobID,State,Reason`). */
export function parseSchedulerLines(text: string): Map<string, SchedulerEntry> {
  const entries = new Map<string, SchedulerEntry>();
  for (const line of text.split('\n')) {
    const [id, state, reason] = line.trim().split('|');
    if (!id || !state) continue;
    // sacct adds `.batch`/`.extern` steps; the job's own line is the one that counts.
    if (!/^\d+_\d+$/.test(id)) continue;
    // sacct states can read "CANCELLED by 0".
    entries.set(id, { id, state: state.split(' ')[0].toUpperCase(), reason: reason ?? '' });
  }
  return entries;
}

export type TaskState = 'pending' | 'requeued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'stopped' | 'unknown';

export interface TaskRecord {
  /** The last of finished / failed / stopped in events.jsonl after the last run-started, or `started`/`none`. */
  lastOutcome: 'finished' | 'failed' | 'stopped' | 'started' | 'none';
  /** Seconds since the trainer last wrote its heartbeat; null without one. */
  heartbeatAge: number | null;
  /** How many times a Slurm task started on this run folder. */
  attempts: number;
  /** `resbuilder cancel` marked the task and it has not been started since. */
  cancelled: boolean;
}

export interface TaskStatus {
  state: TaskState;
  /** Why it waits, or what else is worth knowing (`Resources`, `no heartbeat for 300 s`). */
  detail: string;
}

/** A heartbeat older than this (the trainer writes one every 10 s) means the trainer is gone. */
export const HEARTBEAT_STALE_SECONDS = 90;

const PENDING = new Set(['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'CONFIGURING', 'RESIZING', 'SUSPENDED']);
const RUNNING = new Set(['RUNNING', 'COMPLETING', 'STAGE_OUT', 'SIGNALING']);
const FAILED = new Set(['FAILED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED']);

export function taskStatus(record: TaskRecord, scheduler: SchedulerEntry | undefined): TaskStatus {
  const reason = scheduler && scheduler.reason !== 'None' ? scheduler.reason : '';
  if (record.lastOutcome === 'finished') return { state: 'completed', detail: '' };
  if (scheduler && RUNNING.has(scheduler.state)) return { state: 'running', detail: record.attempts > 1 ? `attempt ${record.attempts}` : '' };
  if (scheduler && PENDING.has(scheduler.state)) {
    // Started before and waiting again: Slurm requeued it (pre-emption, time limit, scontrol requeue).
    return record.attempts > 0 ? { state: 'requeued', detail: reason } : { state: 'pending', detail: reason };
  }
  if (record.cancelled || scheduler?.state === 'CANCELLED') return { state: 'cancelled', detail: record.lastOutcome === 'stopped' ? 'resumable' : '' };
  if (record.lastOutcome === 'failed') return { state: 'failed', detail: '' };
  if (scheduler && FAILED.has(scheduler.state)) {
    // A time limit or pre-emption signals the trainer first (--signal=B:TERM@<grace>): when it
    // wrote its checkpoint in time, the task is stopped and resumable, not lost.
    const state = scheduler.state.toLowerCase();
    return record.lastOutcome === 'stopped' ? { state: 'stopped', detail: `${state}, resumable` } : { state: 'failed', detail: state };
  }
  if (record.lastOutcome === 'stopped') return { state: 'stopped', detail: 'resumable' };
  if (record.lastOutcome === 'started') {
    // Outside the scheduler (a `resbuilder resume` by hand, or the job record expired): the heartbeat says.
    if (record.heartbeatAge !== null && record.heartbeatAge < HEARTBEAT_STALE_SECONDS) return { state: 'running', detail: scheduler ? '' : 'outside Slurm' };
    return { state: 'failed', detail: record.heartbeatAge === null ? 'no heartbeat' : `no heartbeat for ${Math.round(record.heartbeatAge)} s` };
  }
  if (scheduler?.state === 'COMPLETED') return { state: 'failed', detail: 'the job ended without a result' };
  return { state: 'unknown', detail: 'not in the queue and never started' };
}
