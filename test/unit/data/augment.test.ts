import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/rng';
import { drawTransform, normalizationTable, writeImage, type ImageTransform } from '../../../src/trainer/data/augment';
import { identityNormalization } from '../../../src/trainer/data/normalization';
import { imageSet } from './fixtures';

/** A 3×4 grayscale image whose pixel (y, x) is 10·y + x. */
const tiny = imageSet(Uint8Array.from({ length: 12 }, (_, i) => 10 * Math.floor(i / 4) + (i % 4)), [0], 3, 4, 1);
const raw = normalizationTable(identityNormalization(1), 1);

function render(t: ImageTransform): number[][] {
  const out = new Float32Array(12);
  writeImage(tiny, 0, t, raw, out, 0);
  return [0, 1, 2].map((y) => Array.from(out.subarray(y * 4, y * 4 + 4)));
}

describe('augmentation', () => {
  it('leaves the image unchanged without a transform', () => {
    assert.deepEqual(render({ dx: 0, dy: 0, flip: false }), [
      [0, 1, 2, 3],
      [10, 11, 12, 13],
      [20, 21, 22, 23],
    ]);
  });

  it('shifts right and down, repeating the edge pixels (nearest fill)', () => {
    assert.deepEqual(render({ dx: 1, dy: 0, flip: false }), [
      [0, 0, 1, 2],
      [10, 10, 11, 12],
      [20, 20, 21, 22],
    ]);
    assert.deepEqual(render({ dx: 0, dy: 1, flip: false }), [
      [0, 1, 2, 3],
      [0, 1, 2, 3],
      [10, 11, 12, 13],
    ]);
  });

  it('shifts left and up, repeating the far edge', () => {
    assert.deepEqual(render({ dx: -2, dy: -1, flip: false }), [
      [12, 13, 13, 13],
      [22, 23, 23, 23],
      [22, 23, 23, 23],
    ]);
  });

  it('flips horizontally, after the shift', () => {
    assert.deepEqual(render({ dx: 0, dy: 0, flip: true }), [
      [3, 2, 1, 0],
      [13, 12, 11, 10],
      [23, 22, 21, 20],
    ]);
    // Shifted right by one, then mirrored: the repeated left edge ends up on the right.
    assert.deepEqual(render({ dx: 1, dy: 0, flip: true }), [
      [2, 1, 0, 0],
      [12, 11, 10, 10],
      [22, 21, 20, 20],
    ]);
  });

  it('moves all channels of a pixel together and normalises each channel with its own statistics', () => {
    // 1×2 RGB image: pixel 0 = (1, 2, 3), pixel 1 = (4, 5, 6).
    const rgb = imageSet(Uint8Array.from([1, 2, 3, 4, 5, 6]), [0], 1, 2, 3);
    const table = normalizationTable({ mean: [1, 2, 3], std: [1, 2, 4] }, 3);
    const out = new Float32Array(6);
    writeImage(rgb, 0, { dx: 0, dy: 0, flip: true }, table, out, 0);
    assert.deepEqual(Array.from(out), [(4 - 1) / 1, (5 - 2) / 2, (6 - 3) / 4, 0, 0, 0]);
    writeImage(rgb, 0, { dx: 0, dy: 0, flip: false }, table, out, 0);
    assert.deepEqual(Array.from(out), [0, 0, 0, 3, 1.5, 0.75]);
  });

  it('builds normalisation tables as (v - mean) / std and rejects bad statistics', () => {
    const table = normalizationTable({ mean: [125.307, 122.95], std: [62.9932, 2] }, 2);
    assert.equal(table[200], Math.fround((200 - 125.307) / 62.9932));
    assert.equal(table[256 + 7], Math.fround((7 - 122.95) / 2));
    assert.throws(() => normalizationTable({ mean: [0], std: [0] }, 1), /positive/);
    assert.throws(() => normalizationTable({ mean: [0], std: [1] }, 3), /3-channel/);
  });

  it('draws shifts within ±shift·size (rounded) and flips about half the time', () => {
    const rng = new Rng(1, 'augmentation');
    const seen = new Set<number>();
    let flips = 0;
    const n = 4000;
    for (let i = 0; i < n; i++) {
      const t = drawTransform(rng, { shift: 0.1, flip: true }, 32, 28);
      assert.ok(Math.abs(t.dx) <= 3 && Math.abs(t.dy) <= 3, `shift ${t.dx}, ${t.dy}`);
      assert.ok(!Object.is(t.dx, -0) && !Object.is(t.dy, -0));
      seen.add(t.dx);
      if (t.flip) flips++;
    }
    assert.deepEqual([...seen].sort((a, b) => a - b), [-3, -2, -1, 0, 1, 2, 3]);
    assert.ok(Math.abs(flips / n - 0.5) < 0.05, `flip rate ${flips / n}`);
  });

  it('draws nothing when augmentation is off', () => {
    const rng = new Rng(1, 'augmentation');
    const before = rng.getState();
    assert.deepEqual(drawTransform(rng, { shift: 0, flip: false }, 8, 8), { dx: 0, dy: 0, flip: false });
    assert.deepEqual(rng.getState(), before);
  });
});
