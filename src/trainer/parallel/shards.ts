/** Splitting a host batch into contiguous, near-equal shares, one per worker. */
import type { HostBatch } from '../data/batches';

export interface ShardRange {
  start: number;
  count: number;
}

/** `parts` contiguous ranges over `count` images whose sizes differ by at most one (the first ones larger). */
export function shardRanges(count: number, parts: number): ShardRange[] {
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`cannot split a batch into ${parts} parts`);
  const base = Math.floor(count / parts);
  const extra = count % parts;
  const ranges: ShardRange[] = [];
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const size = base + (p < extra ? 1 : 0);
    ranges.push({ start, count: size });
    start += size;
  }
  return ranges;
}

/** Copies of one range's images and labels (fresh buffers, so they can be transferred to a worker). */
export function shardArrays(batch: HostBatch, range: ShardRange): { x: Float32Array; y: Float32Array } {
  const [, height, width, channels] = batch.shape;
  const image = height * width * channels;
  const end = range.start + range.count;
  return {
    x: batch.x.slice(range.start * image, end * image),
    y: batch.y.slice(range.start * batch.numClasses, end * batch.numClasses),
  };
}
