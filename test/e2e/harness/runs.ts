/** What the e2e tests read of the runs on disk, and how they wait for it. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface RecordedEvent {
  type: string;
  runId: string;
  resumable?: boolean;
  resumed?: boolean;
  message?: string;
}

/** Every event of every run folder under `runsDir` (a line being written is skipped). */
export function readEvents(runsDir: string): RecordedEvent[] {
  if (!fs.existsSync(runsDir)) return [];
  const events: RecordedEvent[] = [];
  for (const run of fs.readdirSync(runsDir)) {
    const file = path.join(runsDir, run, 'events.jsonl');
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        events.push(JSON.parse(line) as RecordedEvent);
      } catch {
        // A line being written.
      }
    }
  }
  return events;
}

/** Polls `probe` every half second until it gives a truthy value. */
export async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
