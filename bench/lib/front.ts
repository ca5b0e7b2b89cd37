/**
 * The accuracy–FLOPs front of a family of fixed networks, and a found network's margin over it
 * (docs/benchmarks.md, "Found networks against a family of fixed ResNets").
 */

export interface CostPoint {
  flops: number;
  accuracy: number;
}

/**
 * The points no other point beats at equal or lower cost, cheapest first: what the best fixed
 * network affordable at a given cost reaches. Accuracy rises along it strictly.
 */
export function paretoFront(points: readonly CostPoint[]): CostPoint[] {
  const sorted = [...points].sort((a, b) => a.flops - b.flops || b.accuracy - a.accuracy);
  const front: CostPoint[] = [];
  for (const p of sorted) {
    if (front.length === 0 || p.accuracy > front[front.length - 1].accuracy) front.push(p);
  }
  return front;
}

/**
 * The front's accuracy at `flops`: linear in log FLOPs between its points, and the best point's
 * accuracy beyond the most expensive one (a larger budget can always buy that network). Below the
 * cheapest point the family has nothing to compare with: null.
 */
export function frontAccuracyAt(front: readonly CostPoint[], flops: number): number | null {
  if (front.length === 0 || flops < front[0].flops) return null;
  const last = front[front.length - 1];
  if (flops >= last.flops) return last.accuracy;
  const upper = front.findIndex((p) => p.flops > flops);
  const a = front[upper - 1];
  const b = front[upper];
  const t = (Math.log(flops) - Math.log(a.flops)) / (Math.log(b.flops) - Math.log(a.flops));
  return a.accuracy + t * (b.accuracy - a.accuracy);
}

/** How far a network lies above (positive) or below the front at its own cost; null below the front's range. */
export function marginOverFront(front: readonly CostPoint[], point: CostPoint): number | null {
  const reference = frontAccuracyAt(front, point.flops);
  return reference === null ? null : point.accuracy - reference;
}
