/**
 * `heartbeat.json` in the run folder, rewritten every few seconds while the trainer lives: how
 * `resbuilder status` and the editor tell a run that is training (here, or on another machine
 * sharing the folder) from one whose process died without a word (a node lost, SIGKILL), which
 * events.jsonl alone cannot show. The trainer writes it; both sides read it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';

export const HEARTBEAT_FILE = 'heartbeat.json';
export const HEARTBEAT_SECONDS = 10;

export const HeartbeatSchema = z.strictObject({ time: z.string(), pid: z.number().int(), host: z.string() });

export type Heartbeat = z.infer<typeof HeartbeatSchema> & { ageSeconds: number };

/** The run's last heartbeat and its age, or null when it has none (or an unreadable one). */
export function readHeartbeat(runDir: string, now = Date.now()): Heartbeat | null {
  try {
    const parsed = HeartbeatSchema.safeParse(JSON.parse(fs.readFileSync(path.join(runDir, HEARTBEAT_FILE), 'utf8')));
    return parsed.success ? { ...parsed.data, ageSeconds: Math.max(0, (now - Date.parse(parsed.data.time)) / 1000) } : null;
  } catch {
    return null;
  }
}

/** Seconds since the run's last heartbeat, or null when it has none (or an unreadable one). */
export function heartbeatAge(runDir: string, now = Date.now()): number | null {
  return readHeartbeat(runDir, now)?.ageSeconds ?? null;
}
