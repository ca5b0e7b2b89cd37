/** Number formatting for the human-readable reasons of structural changes. */

/** 4 significant digits, exponent notation for large counts (FLOPs): 0.0004, 0.916, 2.5e+8. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1e5) {
    const [mantissa, exponent] = x.toExponential(3).split('e');
    return `${Number(mantissa)}e${exponent}`;
  }
  return Number(x.toPrecision(4)).toString();
}
