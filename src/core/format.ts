/**
 * The one way numbers are written for people (docs/run-stream.md, "Formats"): the CLI, the
 * status bar, the Runs view, the CodeLens, the run panel and the search's reasons all use these,
 * so one value reads the same everywhere. Pure.
 */

const SCALES: ReadonlyArray<[number, string]> = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** Three significant digits and an SI prefix: 980 → "980", 45_600 → "45.6 k", 1_234_567 → "1.23 M". */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  for (const [scale, prefix] of SCALES) {
    if (Math.abs(value) >= scale) return `${(value / scale).toPrecision(3)} ${prefix}`;
  }
  return String(Math.round(value));
}

/** 30_500_000 → "30.5 MFLOPs", 950 → "950 FLOPs". */
export function formatFlops(value: number): string {
  const count = formatCount(value);
  // Stryker disable next-line Regex: a count holds a letter only at its end (a prefix, or Infinity/NaN), so dropping the anchor changes nothing.
  return /[A-Za-z]$/.test(count) ? `${count}FLOPs` : `${count} FLOPs`;
}

/** 272_000 → "272 k params". */
export function formatParams(value: number): string {
  return `${formatCount(value)} params`;
}

/** A fraction as a percentage with two decimals: 0.98846 → "98.85 %". */
export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)} %`;
}

/** 42 → "42 s", 185 → "3 min 05 s", 3720 → "1 h 02 min"; "–" when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** A unitless measurement (a threshold, a mean |W|): four significant digits, 0.0004, 0.916, 2.5e+8. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1e5) {
    const [mantissa, exponent] = x.toExponential(3).split('e');
    return `${Number(mantissa)}e${exponent}`;
  }
  return Number(x.toPrecision(4)).toString();
}
