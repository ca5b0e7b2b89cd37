/**
 * Writes `heartbeat.json` in the run folder every few seconds while the trainer lives (the
 * format and its reader: src/protocol/run-stream/heartbeat.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HEARTBEAT_FILE, HEARTBEAT_SECONDS } from '../../protocol/run-stream/heartbeat';

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
