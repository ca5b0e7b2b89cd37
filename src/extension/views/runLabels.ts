/**
 * What the Runs view says about a run, kept pure so it is tested without VS Code: the label
 * names the config and when the run started (short), the description its state and result,
 * and runs are grouped under their config.
 */
import { formatPercent } from '../../core/format';
import type { RunSummary } from '../../protocol/run-stream/run-summary';

/** "14:05" today, "Dec 3, 14:05" this year, "2025-12-03 14:05" before: local time, as a clock on the wall. */
export function shortStartTime(iso: string, now: Date = new Date()): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const p = (n: number): string => String(n).padStart(2, '0');
  const clock = `${p(t.getHours())}:${p(t.getMinutes())}`;
  if (t.getFullYear() === now.getFullYear() && t.getMonth() === now.getMonth() && t.getDate() === now.getDate()) return clock;
  if (t.getFullYear() === now.getFullYear()) return `${t.toLocaleString('en', { month: 'short' })} ${t.getDate()}, ${clock}`;
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())} ${clock}`;
}

/** "tiny · 14:05"; the run id stands in for a run that has not recorded its start. */
export function runLabel(configName: string, summary: Pick<RunSummary, 'startedAt'>, runId: string, now?: Date): string {
  return `${configName} · ${summary.startedAt ? shortStartTime(summary.startedAt, now) : runId}`;
}

/**
 * "finished · test 98.1% · depth 9 · 30.5 MFLOPs" for an ended run; for a live one its progress
 * and latest accuracy ("running · Cycle 1 · train · epoch 2/3 · acc 95.1%"): the depth of a
 * growing network is in the panel, the result comes when it ends.
 */
export function runDescription(state: string, result: string, live: { progress: string; accuracy: number | null } | null): string {
  if (live) return ['running', live.progress, live.accuracy !== null ? `acc ${formatPercent(live.accuracy)}` : ''].filter((s) => s !== '').join(' · ');
  return [state, result].filter((s) => s !== '').join(' · ');
}

export interface RunGroup<T> {
  /** The config's path, or null for runs that do not name one. */
  configPath: string | null;
  runs: T[];
}

/** Runs grouped by config, in the order of each config's newest run (the input is newest first). */
export function groupByConfig<T>(runs: readonly T[], configOf: (run: T) => string | null): RunGroup<T>[] {
  const groups = new Map<string | null, RunGroup<T>>();
  for (const run of runs) {
    const key = configOf(run);
    let group = groups.get(key);
    if (!group) {
      group = { configPath: key, runs: [] };
      groups.set(key, group);
    }
    group.runs.push(run);
  }
  return [...groups.values()];
}
