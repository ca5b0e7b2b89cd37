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
