/**
 * Where a run's wall-clock time goes (docs/benchmarks.md, "Where a search's time goes"): each
 * timed section is charged its own time, without the sections nested inside it, so the shares
 * add up to the run's time and a checkpoint inside a training phase is not also counted as
 * training. Written to the run folder as timing.json when the run ends.
 */

/** The report's file name in the run folder. */
export const TIMING_FILE = 'timing.json';

export const TIME_CATEGORIES = ['startup', 'data', 'training-steps', 'evaluation', 'structure', 'checkpoints', 'events', 'export'] as const;
export type TimeCategory = (typeof TIME_CATEGORIES)[number];

export const TIME_CATEGORY_LABELS: Record<TimeCategory, string> = {
  startup: 'start-up (backend selection)',
  data: 'data preparation (loading, batches)',
  'training-steps': 'training steps',
  evaluation: 'evaluation (validation, test)',
  structure: 'structural changes and model rebuilds',
  checkpoints: 'checkpoints',
  events: 'event writing',
  export: 'export of the result',
};

export interface TimeReport {
  /** Wall-clock seconds from the ledger's creation to the report. */
  wallSeconds: number;
  seconds: Record<TimeCategory, number>;
  /** Wall-clock time in no timed section (loop bookkeeping, waiting for the event loop). */
  untimedSeconds: number;
  /** Times each category's sections were entered. */
  calls: Record<TimeCategory, number>;
}

interface Open {
  category: TimeCategory;
  started: number;
  /** Milliseconds spent in sections nested inside this one. */
  nested: number;
}

const zeros = (): Record<TimeCategory, number> => Object.fromEntries(TIME_CATEGORIES.map((c) => [c, 0])) as Record<TimeCategory, number>;

export class TimeLedger {
  private readonly started: number;
  private readonly ms = zeros();
  private readonly calls = zeros();
  private readonly open: Open[] = [];

  constructor(private readonly clock: () => number = () => performance.now()) {
    this.started = clock();
  }

  private enter(category: TimeCategory): Open {
    const section = { category, started: this.clock(), nested: 0 };
    this.open.push(section);
    this.calls[category] += 1;
    return section;
  }

  private leave(section: Open): void {
    const elapsed = this.clock() - section.started;
    // Sections close in the order they opened; one left open by a throw closes with its parent.
    const at = this.open.lastIndexOf(section);
    if (at >= 0) this.open.length = at;
    this.ms[section.category] += Math.max(0, elapsed - section.nested);
    const parent = this.open.at(-1);
    if (parent) parent.nested += elapsed;
  }

  time<T>(category: TimeCategory, fn: () => T): T {
    const section = this.enter(category);
    try {
      return fn();
    } finally {
      this.leave(section);
    }
  }

  async timeAsync<T>(category: TimeCategory, fn: () => Promise<T>): Promise<T> {
    const section = this.enter(category);
    try {
      return await fn();
    } finally {
      this.leave(section);
    }
  }

  /** Times each value an iterator yields (building a batch, say) under `category`. */
  *timeEach<T>(category: TimeCategory, items: Iterable<T>): Generator<T, void, undefined> {
    const iterator = items[Symbol.iterator]();
    for (;;) {
      const next = this.time(category, () => iterator.next());
      if (next.done) return;
      yield next.value;
    }
  }

  /** The times so far; sections still open (the report is written from inside the export) count up to now. */
  report(): TimeReport {
    const now = this.clock();
    const wall = now - this.started;
    const ms = { ...this.ms };
    this.open.forEach((section, i) => {
      const child = this.open[i + 1];
      ms[section.category] += Math.max(0, now - section.started - section.nested - (child ? now - child.started : 0));
    });
    const seconds = zeros();
    for (const c of TIME_CATEGORIES) seconds[c] = ms[c] / 1000;
    const timed = TIME_CATEGORIES.reduce((sum, c) => sum + ms[c], 0);
    return { wallSeconds: wall / 1000, seconds, untimedSeconds: Math.max(0, wall - timed) / 1000, calls: { ...this.calls } };
  }
}

/** One line per category with its share of the wall time, largest first. */
export function timeReportLines(report: TimeReport): string[] {
  const share = (s: number): string => `${((100 * s) / Math.max(report.wallSeconds, 1e-9)).toFixed(1)} %`;
  const rows = TIME_CATEGORIES.map((c) => ({ label: TIME_CATEGORY_LABELS[c], seconds: report.seconds[c], calls: report.calls[c] }))
    .filter((r) => r.calls > 0)
    .sort((a, b) => b.seconds - a.seconds);
  rows.push({ label: 'untimed (loop bookkeeping)', seconds: report.untimedSeconds, calls: 0 });
  const width = Math.max(...rows.map((r) => r.label.length));
  return rows.map((r) => `${r.label.padEnd(width)}  ${r.seconds.toFixed(1).padStart(8)} s  ${share(r.seconds).padStart(7)}`);
}
