/**
 * Following a run that a trainer outside this window writes: a Slurm task on a compute node, or
 * a `resbuilder` run in a terminal (docs/cluster.md, "From VS Code: Remote-SSH to a login node").
 * Its events.jsonl is read on from the last complete line, and its heartbeat says whether the
 * trainer still lives. Polled rather than watched, since file-change notifications do not cross
 * a network filesystem. Node only (no vscode) so it is tested on temporary folders.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import { HEARTBEAT_STALE_SECONDS } from '../../core/sweep/scheduler';
import type { TrainerEvent } from '../../protocol/events';
import { parseEventLog } from '../../protocol/run-stream/event-log';
import { readHeartbeat } from '../../protocol/run-stream/heartbeat';
import { eventsFileOf } from './runPaths';

export class EventsTail {
  /** Bytes of the file read so far, up to the end of its last complete line. */
  private offset = 0;
  private readonly file: string;

  constructor(runDir: string) {
    this.file = eventsFileOf(runDir);
  }

  /** The complete events appended since the last call (none while the file does not exist yet). */
  async read(): Promise<{ events: TrainerEvent[]; errors: string[] }> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.file, 'r');
    } catch {
      return { events: [], errors: [] };
    }
    try {
      const { size } = await handle.stat();
      // A shorter file was written anew: read it from its start.
      if (size < this.offset) this.offset = 0;
      if (size === this.offset) return { events: [], errors: [] };
      const buffer = Buffer.alloc(size - this.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
      // Cut at a byte, not a character: a line being written may end inside a UTF-8 sequence.
      const end = buffer.subarray(0, bytesRead).lastIndexOf(0x0a) + 1;
      if (end === 0) return { events: [], errors: [] };
      const log = parseEventLog(buffer.subarray(0, end).toString('utf8'), `${this.file} (lines counted from byte ${this.offset})`);
      this.offset += end;
      return { events: log.events, errors: log.errors.map((e) => e.message) };
    } finally {
      await handle.close();
    }
  }
}

/**
 * Whether a trainer outside this window is still writing the run: its heartbeat is fresh, and
 * when it beats on this machine, its process exists.
 */
export function trainerAliveElsewhere(runDir: string, now = Date.now()): boolean {
  const beat = readHeartbeat(runDir, now);
  if (!beat || beat.ageSeconds >= HEARTBEAT_STALE_SECONDS) return false;
  if (beat.host !== os.hostname()) return true;
  try {
    process.kill(beat.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
