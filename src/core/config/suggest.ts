/**
 * "Did you mean" suggestions for misspelled keys and values. Names are compared in a loose form
 * (lower case, without `_`, `-` and spaces) so `batch_size` finds `batchSize`.
 */

function loose(name: string): string {
  // Stryker disable next-line MethodExpression: both sides of every comparison are folded the same way, so upper case compares alike
  return name.toLowerCase().replace(/[_\-\s]/g, '');
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const dist: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(dist[i - 1][j] + 1, dist[i][j - 1] + 1, dist[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, dist[i - 2][j - 2] + 1);
      dist[i][j] = best;
    }
  }
  return dist[rows - 1][cols - 1];
}

/**
 * The candidate closest to `input`, if it is close enough to be a plausible typo: up to a third
 * of the longer name's letters may differ (at least one).
 */
export function closestMatch(input: string, candidates: readonly string[]): string | undefined {
  const target = loose(input);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(target, loose(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.floor(Math.max(target.length, loose(best).length) / 3));
  return bestDistance <= allowed ? best : undefined;
}
