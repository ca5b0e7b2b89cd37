/** Mean ± sample standard deviation of a sweep's results per setting (pure, for the report). */
import { describeSettings, type SweepValue } from './expand';
import { meanSd, type Stat } from '../stats';

export { meanSd, type Stat };

export interface ResultRow {
  settings: Record<string, SweepValue>;
  testAccuracy: number | null;
  flops: number | null;
  params: number | null;
  depth: number | null;
}

export interface SettingSummary {
  setting: string;
  tasks: number;
  testAccuracy: Stat | null;
  flops: Stat | null;
  params: Stat | null;
  depth: Stat | null;
}

/** One summary per distinct setting, in the order settings first appear; unfinished tasks count in `tasks` only. */
export function summarizeBySetting(rows: ResultRow[]): SettingSummary[] {
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) {
    const key = describeSettings(row.settings);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const stat = (list: ResultRow[], pick: (r: ResultRow) => number | null) => meanSd(list.map(pick).filter((v): v is number => v !== null));
  return [...groups].map(([setting, list]) => ({
    setting,
    tasks: list.length,
    testAccuracy: stat(list, (r) => r.testAccuracy),
    flops: stat(list, (r) => r.flops),
    params: stat(list, (r) => r.params),
    depth: stat(list, (r) => r.depth),
  }));
}
