/**
 * Seeded splits of an ImageSet (docs/algorithm.md, "Data and augmentation": validation is a seeded 20 % of train; image
 * folders and the built-in digits get a seeded test split too). Splits are stratified (each
 * class gives the same fraction) and keep the original order within each part, so the result
 * depends only on the seed, not on how the split is later shuffled.
 */
import type { Rng } from '../../core/rng';
import type { ImageSet } from './types';

export interface SplitResult {
  kept: ImageSet;
  heldOut: ImageSet;
}

/**
 * Holds out round(fraction × count) images, spread over the classes in proportion to their
 * sizes (see classQuotas). `set` is consumed: its buffer is
 * compacted in place to become `kept` (so a 150 MB training set does not need a second 150 MB
 * while it is split), and only the held-out part is copied.
 */
export function stratifiedSplit(set: ImageSet, fraction: number, rng: Rng): SplitResult {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`split fraction must be in [0, 1), got ${fraction}`);
  const byClass = indicesByClass(set);
  const heldOutMask = new Uint8Array(set.count);
  const quotas = classQuotas(byClass.map((c) => c.length), fraction);
  for (let k = 0; k < byClass.length; k++) {
    const indices = byClass[k];
    const take = quotas[k];
    if (take === 0) continue;
    // A partial Fisher–Yates draw: the first `take` positions become a uniform random subset.
    for (let i = 0; i < take; i++) {
      const j = i + rng.int(indices.length - i);
      const tmp = indices[i];
      indices[i] = indices[j];
      indices[j] = tmp;
      heldOutMask[indices[i]] = 1;
    }
  }
  return partition(set, heldOutMask);
}

/**
 * How many images of each class to hold out: floor(fraction × classCount) each, and the
 * remainder up to round(fraction × total) to the classes with the largest fractional parts
 * (ties to the lower label), so that small classes still add up to the requested fraction.
 */
export function classQuotas(classSizes: number[], fraction: number): number[] {
  const total = classSizes.reduce((a, b) => a + b, 0);
  const exact = classSizes.map((n) => n * fraction);
  const quotas = exact.map((e) => Math.floor(e));
  let missing = Math.round(total * fraction) - quotas.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, k) => ({ k, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.k - b.k);
  for (const { k } of byRemainder) {
    if (missing <= 0) break;
    if (quotas[k] < classSizes[k]) {
      quotas[k]++;
      missing--;
    }
  }
  return quotas;
}

/** Keeps a seeded random `limit` images of `set` (consumed), in their original order. */
export function limitSet(set: ImageSet, limit: number, rng: Rng): ImageSet {
  if (limit >= set.count) return set;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`dataset.limit must be a positive integer, got ${limit}`);
  const order = rng.permutation(set.count);
  const dropMask = new Uint8Array(set.count).fill(1);
  for (let i = 0; i < limit; i++) dropMask[order[i]] = 0;
  return compactInPlace(set, dropMask);
}

/** Image indices of each class, ascending; index = label. */
export function indicesByClass(set: ImageSet): number[][] {
  const byClass: number[][] = [];
  for (let i = 0; i < set.count; i++) {
    const label = set.labels[i];
    while (byClass.length <= label) byClass.push([]);
    byClass[label].push(i);
  }
  return byClass;
}

/** Splits by a mask (1 = held out): copies the held-out images, compacts the rest in place. */
export function partition(set: ImageSet, heldOutMask: Uint8Array): SplitResult {
  const size = set.height * set.width * set.channels;
  let heldCount = 0;
  for (let i = 0; i < set.count; i++) heldCount += heldOutMask[i];
  const heldOut: ImageSet = {
    images: new Uint8Array(heldCount * size),
    labels: new Uint16Array(heldCount),
    count: heldCount,
    height: set.height,
    width: set.width,
    channels: set.channels,
  };
  let h = 0;
  for (let i = 0; i < set.count; i++) {
    if (!heldOutMask[i]) continue;
    heldOut.images.set(set.images.subarray(i * size, (i + 1) * size), h * size);
    heldOut.labels[h] = set.labels[i];
    h++;
  }
  return { kept: compactInPlace(set, heldOutMask), heldOut };
}

/**
 * Moves the images whose mask is 0 to the front of the set's own buffer. Destinations never
 * pass their sources, so copying forward is safe. The result views the same buffer (the tail
 * that held the removed images stays allocated until the set is dropped) unless less than half
 * of it is kept.
 */
function compactInPlace(set: ImageSet, dropMask: Uint8Array): ImageSet {
  const size = set.height * set.width * set.channels;
  let k = 0;
  for (let i = 0; i < set.count; i++) {
    if (dropMask[i]) continue;
    if (k !== i) {
      set.images.copyWithin(k * size, i * size, (i + 1) * size);
      set.labels[k] = set.labels[i];
    }
    k++;
  }
  // When most of the buffer is now unused (a small `limit`), copy out so the rest is freed.
  const shrink = k * size < set.images.length / 2;
  return {
    images: shrink ? set.images.slice(0, k * size) : set.images.subarray(0, k * size),
    labels: shrink ? set.labels.slice(0, k) : set.labels.subarray(0, k),
    count: k,
    height: set.height,
    width: set.width,
    channels: set.channels,
  };
}
