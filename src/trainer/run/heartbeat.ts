/**
 * `heartbeat.json` in the run folder, rewritten every few seconds while the trainer lives: how
 * `resbuilder status` and the editor tell a run that is training from one whose process died
 * without a word (a node lost, SIGKILL), which events.jsonl alone cannot show.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';

export const HEARTBEAT_FILE = 'heartbeat.json';
export const HEARTBEAT_SECONDS = 10;

export const HeartbeatSchema = z.strictObject({ time: z.string(), pid: z.number().int(), host: z.string() });

/** Starts writing the heartbeat; returns the function that stops it. */
export function startHeartbeat(runDir: string): () => void {
  const file = path.join(runDir, HEARTBEAT_FILE);
  const beat = () => {
    try {
      // Written whole then renamed, so a reader never sees half a file.
      fs.writeFileSync(`${file}.tmp`, JSON.stringify({ time: new Date().toISOString(), pid: process.pid, host: os.hostname() }));
      fs.renameSync(`${file}.tmp`, file);
    } catch {
      // A full or vanished disk shows up in the run's own writes; the heartbeat is best effort.
    }
  };
  beat();
  const timer = setInterval(beat, HEARTBEAT_SECONDS * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

/** Seconds since the run's last heartbeat, or null when it has none (or an unreadable one). */
export function heartbeatAge(runDir: string, now = Date.now()): number | null {
  try {
    const parsed = HeartbeatSchema.safeParse(JSON.parse(fs.readFileSync(path.join(runDir, HEARTBEAT_FILE), 'utf8')));
    return parsed.success ? Math.max(0, (now - Date.parse(parsed.data.time)) / 1000) : null;
  } catch {
    return null;
  }
}
