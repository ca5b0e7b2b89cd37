/** Means and spreads of repeated measurements (seeds of a sweep or a benchmark). Pure. */

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new Error('mean of no values');
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (n − 1); 0 for a single value. */
export function sampleSd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

export interface Stat {
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single value. */
  sd: number;
  n: number;
}

/** Mean, sample SD and count; null for no values. */
export function meanSd(values: readonly number[]): Stat | null {
  return values.length === 0 ? null : { mean: mean(values), sd: sampleSd(values), n: values.length };
}

/** The q-quantile (0 ≤ q ≤ 1) with linear interpolation between the sorted values (numpy's default). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('quantile of no values');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile ${q}: expected a number from 0 to 1`);
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** First and third quartiles. */
  q1: number;
  q3: number;
  n: number;
  /** (max − min) / median: how far the values moved, as a fraction of their median. */
  relativeRange: number;
}

/** Median, range and quartiles of repeated measurements (rounds of a benchmark); null for no values. */
export function spread(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const m = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { median: m, min, max, q1: quantile(values, 0.25), q3: quantile(values, 0.75), n: values.length, relativeRange: m === 0 ? 0 : (max - min) / Math.abs(m) };
}
