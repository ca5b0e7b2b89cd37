/**
 * A sweep's tasks: every combination of the grid's values, each with every seed. A task's index
 * is its place in that order (grid keys in the order written, the last key varying fastest, the
 * seeds fastest of all), so it is the same every time the sweep is read and names the task's
 * Slurm array index and run folder.
 */
export type SweepValue = number | string | boolean | null;

export interface SweepSpec {
  seeds: number[];
  /** Setting path (`search.targetFlops`) → the values to try, in the order written. */
  grid: [key: string, values: SweepValue[]][];
}

export interface SweepTask {
  index: number;
  seed: number;
  /** The grid's setting values of this task (empty without a grid). */
  settings: Record<string, SweepValue>;
}

export function expandSweep(spec: SweepSpec): SweepTask[] {
  let combos: Record<string, SweepValue>[] = [{}];
  for (const [key, values] of spec.grid) {
    combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [key]: value })));
  }
  const tasks: SweepTask[] = [];
  for (const settings of combos) {
    for (const seed of spec.seeds) tasks.push({ index: tasks.length, seed, settings });
  }
  return tasks;
}

/** `search.targetFlops=20000000, training.l1=0.001`, or `(config)` without a grid. */
export function describeSettings(settings: Record<string, SweepValue>): string {
  const parts = Object.entries(settings).map(([key, value]) => `${key}=${String(value)}`);
  return parts.length > 0 ? parts.join(', ') : '(config)';
}

/** The stable name of a task's run folder: the sweep id and the task's index. */
export function taskRunId(sweepId: string, index: number): string {
  return `${sweepId}-task${String(index).padStart(3, '0')}`;
}

/** A file-name-safe sweep id stem from a config's name (`$(touch x)` → `touch-x`). */
export function sweepIdStem(configName: string): string {
  return configName.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 40) || 'sweep';
}

/** `1,2,3` → [1, 2, 3]; `--seeds` on the command line. */
export function parseSeedList(text: string): number[] {
  const seeds = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (seeds.length === 0) throw new Error('--seeds: expected a comma-separated list of seeds, e.g. 1,2,3');
  return seeds.map((s) => {
    const n = Number(s);
    if (!/^\d+$/.test(s) || !Number.isSafeInteger(n) || n > 2 ** 32 - 1) throw new Error(`--seeds: "${s}" is not a seed (an integer from 0 to 4294967295)`);
    return n;
  });
}
