/** Reading what a run wrote, for end-to-end tests that watch runs started from the workbench. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface RecordedEvent {
  type: string;
  runId: string;
  resumable?: boolean;
  backend?: { name: string };
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

/**
 * Waits until the search under `runsDir` ends and returns its events; throws when it failed or
 * made no structural change (a search that cannot even grow the network tests nothing).
 */
export async function finishedSearch(runsDir: string, timeoutMs: number): Promise<RecordedEvent[]> {
  const events = await until('finished or failed', timeoutMs, () => {
    const all = readEvents(runsDir);
    return all.some((e) => e.type === 'finished' || e.type === 'failed') && all;
  });
  const failure = events.find((e) => e.type === 'failed');
  if (failure) throw new Error(`the run failed: ${JSON.stringify(failure)}`);
  if (!events.some((e) => e.type === 'structural-change')) throw new Error('the search made no structural change');
  return events;
}
