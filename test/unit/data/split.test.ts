import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/rng';
import { channelStatistics } from '../../../src/trainer/data/normalization';
import { classQuotas, limitSet, stratifiedSplit } from '../../../src/trainer/data/split';
import type { ImageSet } from '../../../src/trainer/data/types';
import { imageSet } from './fixtures';

/** n 1×1×2 images whose two bytes are (i mod 256, i >> 8): identify an image by its bytes. */
function numbered(labels: number[]): ImageSet {
  const images = new Uint8Array(labels.length * 2);
  labels.forEach((_, i) => {
    images[2 * i] = i & 0xff;
    images[2 * i + 1] = i >> 8;
  });
  return imageSet(images, labels, 1, 1, 2);
}

function ids(set: ImageSet): number[] {
  return Array.from({ length: set.count }, (_, i) => set.images[2 * i] + 256 * set.images[2 * i + 1]);
}

const labels = Array.from({ length: 1000 }, (_, i) => (i < 600 ? 0 : i < 900 ? 1 : 2));

describe('splits', () => {
  it('holds out the fraction of every class, keeping images with their labels and in order', () => {
    const original = numbered(labels);
    const { kept, heldOut } = stratifiedSplit(numbered(labels), 0.2, new Rng(1, 'split'));
    assert.equal(heldOut.count, 200);
    assert.equal(kept.count, 800);
    const count = (s: ImageSet, k: number): number => Array.from(s.labels).filter((l) => l === k).length;
    assert.deepEqual([count(heldOut, 0), count(heldOut, 1), count(heldOut, 2)], [120, 60, 20]);
    const keptIds = ids(kept);
    const heldIds = ids(heldOut);
    assert.deepEqual([...keptIds, ...heldIds].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
    assert.deepEqual(keptIds, [...keptIds].sort((a, b) => a - b));
    for (const s of [kept, heldOut]) ids(s).forEach((id, i) => assert.equal(s.labels[i], original.labels[id]));
  });

  it('depends only on the seed', () => {
    const a = stratifiedSplit(numbered(labels), 0.2, new Rng(1, 'split'));
    const b = stratifiedSplit(numbered(labels), 0.2, new Rng(1, 'split'));
    const c = stratifiedSplit(numbered(labels), 0.2, new Rng(2, 'split'));
    assert.deepEqual(ids(a.heldOut), ids(b.heldOut));
    assert.notDeepEqual(ids(a.heldOut), ids(c.heldOut));
  });

  it('keeps the requested fraction overall when classes are small', () => {
    assert.deepEqual(classQuotas([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 0.2), [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(classQuotas([5, 3], 0.5), [3, 1]);
    assert.deepEqual(classQuotas([10, 20], 0), [0, 0]);
    const quotas = classQuotas([7, 13, 29, 1], 0.3);
    assert.equal(quotas.reduce((a, b) => a + b, 0), Math.round(50 * 0.3));
  });

  it('limits to a seeded subset in original order', () => {
    const limited = limitSet(numbered(labels), 50, new Rng(4, 'split'));
    assert.equal(limited.count, 50);
    const got = ids(limited);
    assert.deepEqual(got, [...got].sort((a, b) => a - b));
    assert.equal(new Set(got).size, 50);
    assert.deepEqual(ids(limitSet(numbered(labels), 50, new Rng(4, 'split'))), got);
    // A small subset is copied out so that the large buffer can be freed.
    assert.ok(limited.images.buffer.byteLength <= 100);
    assert.equal(limitSet(numbered(labels), 5000, new Rng(4, 'split')).count, 1000);
  });

  it('computes per-channel population statistics', () => {
    const set = imageSet(Uint8Array.from([0, 10, 4, 10, 8, 40]), [0, 0, 0], 1, 1, 2);
    const stats = channelStatistics(set);
    assert.deepEqual(stats.mean, [4, 20]);
    assert.ok(Math.abs(stats.std[0] - Math.sqrt(32 / 3)) < 1e-12);
    assert.ok(Math.abs(stats.std[1] - Math.sqrt(600 / 3)) < 1e-12);
    // A constant channel gets std 1 rather than a division by zero.
    assert.deepEqual(channelStatistics(imageSet(Uint8Array.from([7, 7]), [0, 1], 1, 1, 1)), { mean: [7], std: [1] });
  });
});
