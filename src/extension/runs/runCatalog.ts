/**
 * The runs on disk: every `<runsDir>/<runId>/events.jsonl`, each folded into a summary. Node
 * only (no vscode) so it is tested on temporary folders.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { parseEventLog } from '../../protocol/run-stream/event-log';
import { summarizeEvents, type RunSummary } from '../../protocol/run-stream/run-summary';
import { eventsFileOf } from './runPaths';
import type { TrainerEvent } from '../../protocol/events';

export interface RunRecord {
  runDir: string;
  /** The run id (from `run-started`, else the folder name). */
  runId: string;
  summary: RunSummary;
  /** Lines of events.jsonl that were not valid events. */
  errors: string[];
  /** Modification time and size of events.jsonl: a cheap cache key. */
  mtimeMs: number;
  size: number;
}

export interface RunEventLog {
  events: TrainerEvent[];
  errors: string[];
}

export async function readRunEvents(runDir: string): Promise<RunEventLog> {
  const file = eventsFileOf(runDir);
  const log = parseEventLog(await fs.readFile(file, 'utf8'), file);
  return { events: log.events, errors: log.errors.map((e) => e.message) };
}

/**
 * Reads one run folder; null when it has no events.jsonl. A run on disk is read as ended: a
 * run this window is still running is overlaid by the run manager's live summary.
 */
export async function readRunRecord(runDir: string, cache?: Map<string, RunRecord>): Promise<RunRecord | null> {
  let stat;
  try {
    stat = await fs.stat(eventsFileOf(runDir));
  } catch {
    return null;
  }
  const cached = cache?.get(runDir);
  if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached;
  let log: RunEventLog;
  try {
    log = await readRunEvents(runDir);
  } catch {
    return null;
  }
  const summary = summarizeEvents(log.events, true);
  const record: RunRecord = {
    runDir,
    runId: summary.runId ?? path.basename(runDir),
    summary,
    errors: log.errors,
    mtimeMs: stat.mtimeMs,
    size: stat.size,
  };
  cache?.set(runDir, record);
  return record;
}

/** All runs under the given runs folders, newest first; missing folders are skipped. */
export async function listRunRecords(runsDirs: Iterable<string>, cache?: Map<string, RunRecord>): Promise<RunRecord[]> {
  const seen = new Set<string>();
  const records: RunRecord[] = [];
  for (const runsDir of runsDirs) {
    let entries: string[];
    try {
      entries = await fs.readdir(runsDir);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const runDir = path.resolve(runsDir, entry);
      if (seen.has(runDir)) continue;
      seen.add(runDir);
      const record = await readRunRecord(runDir, cache);
      if (record) records.push(record);
    }
  }
  return records.sort(compareNewestFirst);
}

export function compareNewestFirst(a: RunRecord, b: RunRecord): number {
  const ta = a.summary.startedAt ?? '';
  const tb = b.summary.startedAt ?? '';
  if (ta !== tb) return ta < tb ? 1 : -1;
  return b.mtimeMs - a.mtimeMs;
}

/** The newest run of a config (by the config path its `run-started` recorded). */
export function latestRunOf(records: readonly RunRecord[], configPath: string): RunRecord | undefined {
  const wanted = path.resolve(configPath);
  return records.find((r) => r.summary.configPath !== null && path.resolve(r.summary.configPath) === wanted);
}
