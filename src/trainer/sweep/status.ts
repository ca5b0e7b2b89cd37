/**
 * `resbuilder status` and `resbuilder cancel`: each task's state from its run folder (the truth)
 * and the scheduler's view from one `squeue` call (plus `sacct` when the cluster has accounting).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeSettings } from '../../core/sweep/expand';
import { parseSchedulerLines, SQUEUE_FORMAT, taskStatus, type SchedulerEntry, type TaskStatus } from '../../core/sweep/scheduler';
import type { TrainerEvent } from '../../protocol/events';
import { slurm, SlurmError } from './slurm';
import { markCancelled, openSweep, readEvents, taskRecord, taskRunDir, type SweepFolder } from './sweep-folder';

export interface TaskRow extends TaskStatus {
  index: number;
  seed: number;
  settings: Record<string, number | string | boolean | null>;
  runDir: string;
  /** `1234_5`, or null before submission. */
  slurmId: string | null;
  schedulerState: string | null;
  events: TrainerEvent[];
}

export interface SchedulerView {
  entries: Map<string, SchedulerEntry>;
  /** Why the scheduler could not be asked, when it could not. */
  note: string | null;
}

/** One `squeue` call for all the given jobs; `sacct` fills in jobs squeue has forgotten, where it answers. */
export async function schedulerView(jobIds: string[]): Promise<SchedulerView> {
  const entries = new Map<string, SchedulerEntry>();
  if (jobIds.length === 0) return { entries, note: null };
  let note: string | null = null;
  try {
    const { stdout } = await slurm('squeue', ['-h', '-r', '-t', 'all', '-j', jobIds.join(','), '-o', SQUEUE_FORMAT]);
    for (const [id, entry] of parseSchedulerLines(stdout)) entries.set(id, entry);
  } catch (error) {
    // squeue exits 1 with "Invalid job id" once every job of the list has left its memory.
    if (!/Invalid job id/i.test((error as Error).message)) note = (error as Error).message;
  }
  if (note === null) {
    try {
      const { stdout } = await slurm('sacct', ['-n', '-P', '-X', '-j', jobIds.join(','), '-o', 'JobID,State,Reason'], { timeoutMs: 10_000 });
      for (const [id, entry] of parseSchedulerLines(stdout)) if (!entries.has(id)) entries.set(id, entry);
    } catch {
      // No accounting database (sacct says "accounting storage is disabled"): squeue is all there is.
    }
  }
  return { entries, note };
}

export function taskRows(sweep: SweepFolder, view: SchedulerView): TaskRow[] {
  const jobId = sweep.manifest.slurm.jobId;
  return sweep.manifest.tasks.map((task) => {
    const runDir = taskRunDir(sweep, task.index);
    const events = readEvents(runDir);
    const slurmId = jobId === null ? null : `${jobId}_${task.index}`;
    const entry = slurmId === null ? undefined : view.entries.get(slurmId);
    return {
      index: task.index, seed: task.seed, settings: task.settings, runDir, slurmId, events,
      schedulerState: entry?.state ?? null,
      ...taskStatus(taskRecord(runDir, events), entry),
    };
  });
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** A plain table, one row per line, the widest cell setting each column's width. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : pad(cell, widths[i]))).join('  ')).join('\n');
}

export function progressOf(events: TrainerEvent[]): string {
  for (let i = events.length - 1; i >= 0; i -= 1) {
    const e = events[i];
    if (e.type === 'epoch-end' || e.type === 'epoch-progress') return `${e.phase} epoch ${e.epoch}/${e.epochs}`;
  }
  return '';
}

/** The status of several sweeps with one scheduler call for all their jobs (the editor polls this way). */
export async function sweepStatus(targets: string[]): Promise<{ sweep: SweepFolder; rows: TaskRow[]; note: string | null }[]> {
  const sweeps = targets.map(openSweep);
  const view = await schedulerView(sweeps.flatMap((s) => (s.manifest.slurm.jobId ? [s.manifest.slurm.jobId] : [])));
  return sweeps.map((sweep) => ({ sweep, rows: taskRows(sweep, view), note: view.note }));
}

export function statusText(sweep: SweepFolder, rows: TaskRow[], note: string | null): string {
  const header = ['task', 'seed', 'settings', 'state', 'detail', 'progress', 'run folder'];
  const body = rows.map((r) => [String(r.index), String(r.seed), describeSettings(r.settings), r.state, r.detail, progressOf(r.events), path.relative(process.cwd(), r.runDir) || '.']);
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  const summary = [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
  const job = sweep.manifest.slurm.jobId ? `job ${sweep.manifest.slurm.jobId}` : 'not submitted';
  return `sweep ${sweep.manifest.sweepId} (${job}): ${summary}\n${note ? `note: ${note}\n` : ''}${formatTable(header, body)}`;
}

/** Cancels a whole sweep, or one task when `target` is a task's run folder. */
export async function cancelSweep(target: string): Promise<string> {
  const sweep = openSweep(target);
  const jobId = sweep.manifest.slurm.jobId;
  if (jobId === null) throw new SlurmError(`${sweep.dir}: the sweep was never submitted; nothing to cancel.`);
  const resolved = path.resolve(target);
  const one = sweep.manifest.tasks.find((t) => path.resolve(taskRunDir(sweep, t.index)) === resolved);
  const tasks = one ? [one] : sweep.manifest.tasks;
  const done = new Set(taskRows(sweep, { entries: new Map(), note: null }).filter((r) => r.state === 'completed').map((r) => r.index));
  const open = tasks.filter((t) => !done.has(t.index));
  if (open.length === 0) return `nothing to cancel: ${one ? `task ${one.index} has` : 'every task has'} finished.`;
  // The mark first: the trainer's SIGTERM stop looks like a pre-emption in events.jsonl alone.
  for (const t of open) markCancelled(taskRunDir(sweep, t.index), jobId);
  const ids = one ? [`${jobId}_${one.index}`] : open.length === tasks.length ? [jobId] : open.map((t) => `${jobId}_${t.index}`);
  await slurm('scancel', ids);
  const where = fs.existsSync(sweep.dir) ? path.relative(process.cwd(), sweep.dir) || '.' : sweep.dir;
  return `cancelled ${one ? `task ${one.index}` : `${open.length} task${open.length === 1 ? '' : 's'}`} of job ${jobId}; a task that had written a checkpoint continues with: resbuilder resume ${where}/runs/<run id>`;
}
