/**
 * A sweep's folder on disk: `sweep.json`, `config.yaml`, `sweep.sbatch`, `logs/` and `runs/<task
 * run id>/`; and what each task's run folder says about it (events.jsonl, heartbeat, the Slurm
 * attempts recorded by `run-task`, the mark `resbuilder cancel` leaves).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { parseSweepManifest, SWEEP_MANIFEST_FILE, TaskSlurmRecordSchema, type SweepManifest, type TaskSlurmRecord } from '../../core/sweep/manifest';
import type { TaskRecord } from '../../core/sweep/scheduler';
import { heartbeatAge } from '../../protocol/run-stream/heartbeat';
import { readEventsFile } from '../run/emitter';
import type { TrainerEvent } from '../../protocol/events';

export const TASK_SLURM_FILE = 'slurm.json';
export const CANCEL_MARK_FILE = 'cancelled.json';
const CancelMarkSchema = z.strictObject({ time: z.string(), jobId: z.string() });

export interface SweepFolder {
  dir: string;
  manifest: SweepManifest;
}

/** The sweep at `target`: its folder, its `sweep.json`, or one of its task run folders. */
export function openSweep(target: string): SweepFolder {
  let dir = path.resolve(target);
  if (path.basename(dir) === SWEEP_MANIFEST_FILE) dir = path.dirname(dir);
  if (!fs.existsSync(path.join(dir, SWEEP_MANIFEST_FILE)) && fs.existsSync(path.join(dir, '..', '..', SWEEP_MANIFEST_FILE))) dir = path.resolve(dir, '..', '..');
  const file = path.join(dir, SWEEP_MANIFEST_FILE);
  if (!fs.existsSync(file)) throw new Error(`${target}: not a sweep folder (no ${SWEEP_MANIFEST_FILE}). Pass the folder \`resbuilder submit\` printed, under .resbuilder/sweeps/.`);
  return { dir, manifest: parseSweepManifest(fs.readFileSync(file, 'utf8'), file) };
}

export function writeManifest(dir: string, manifest: SweepManifest): void {
  const file = path.join(dir, SWEEP_MANIFEST_FILE);
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}

export function taskRunDir(sweep: SweepFolder, index: number): string {
  return path.join(sweep.dir, 'runs', sweep.manifest.tasks[index].runId);
}

export function readTaskSlurm(runDir: string): TaskSlurmRecord | null {
  try {
    const parsed = TaskSlurmRecordSchema.safeParse(JSON.parse(fs.readFileSync(path.join(runDir, TASK_SLURM_FILE), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function readEvents(runDir: string): TrainerEvent[] {
  const file = path.join(runDir, 'events.jsonl');
  return fs.existsSync(file) ? readEventsFile(file) : [];
}

export function markCancelled(runDir: string, jobId: string): void {
  if (!fs.existsSync(runDir)) fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(path.join(runDir, CANCEL_MARK_FILE), JSON.stringify({ time: new Date().toISOString(), jobId }));
}

function cancelMarkTime(runDir: string): number | null {
  try {
    const parsed = CancelMarkSchema.safeParse(JSON.parse(fs.readFileSync(path.join(runDir, CANCEL_MARK_FILE), 'utf8')));
    return parsed.success ? Date.parse(parsed.data.time) : null;
  } catch {
    return null;
  }
}

export function taskRecord(runDir: string, events: TrainerEvent[] = readEvents(runDir)): TaskRecord {
  let lastOutcome: TaskRecord['lastOutcome'] = 'none';
  let lastStart = -Infinity;
  for (const event of events) {
    if (event.type === 'run-started') {
      lastOutcome = 'started';
      lastStart = Date.parse(event.time);
    } else if (event.type === 'finished' || event.type === 'failed' || event.type === 'stopped') {
      lastOutcome = event.type;
    }
  }
  const cancelledAt = cancelMarkTime(runDir);
  return {
    lastOutcome,
    heartbeatAge: heartbeatAge(runDir),
    attempts: readTaskSlurm(runDir)?.attempts.filter((a) => a.action !== 'done').length ?? 0,
    // A run started after the mark (`resbuilder resume`) is no longer cancelled.
    cancelled: cancelledAt !== null && lastStart < cancelledAt,
  };
}
