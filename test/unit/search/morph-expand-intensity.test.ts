/** The expansion blends ω·C and C by expandIntensity e: C ← ⌊e·⌊ω·C⌋ + (1−e)·C⌋, for any e, not only ½. */
import assert from 'node:assert/strict';
import { decideMorph } from '../../../src/core/search/morph';
import type { Architecture, ConvLayer } from '../../../src/core/arch/types';
import { block, conv, dense, net, pool } from './fixtures';

const T = 1e9;
const arch = net([conv('stem', 64, { kernel: 7, stride: 2 }), block('r001', 64), pool('p'), block('r002', 64), dense('fc', 1000)]);
const alive = new Map(Object.entries({ stem: 40, 'r001.conv1': 20, 'r001.conv2': 40, 'r002.conv1': 33, 'r002.conv2': 40 }));
const widthsOf = (a: Architecture): Record<string, number> =>
  Object.fromEntries(a.layers.filter((l): l is ConvLayer => l.kind === 'conv').map((l) => [l.id, l.width]));
const morph = (expandIntensity: number) =>
  decideMorph({ arch, alive, flopsForOmega: T / 4, targetFlops: T, shrinkIntensity: 1, expandIntensity, omegaFromShrunkNet: false });

describe('MORPH expansion intensity', () => {
  it('e = 0.25 moves a quarter of the way from C to ω·C (ω = 2)', () => {
    const result = morph(0.25);
    assert.equal(result.omega, 2);
    // 40 → ⌊0.25·80 + 0.75·40⌋ = 50; 20 → ⌊0.25·40 + 0.75·20⌋ = 25; 33 → ⌊0.25·66 + 0.75·33⌋ = 41.
    assert.deepEqual(widthsOf(result.arch), { stem: 50, 'r001.conv1': 25, 'r001.conv2': 50, 'r002.conv1': 41, 'r002.conv2': 50 });
    assert.match(result.change.reason, /intensity 0\.25\)/);
  });

  it('e = 0.75 moves three quarters of the way', () => {
    // 40 → ⌊0.75·80 + 0.25·40⌋ = 70; 20 → 35; 33 → ⌊49.5 + 8.25⌋ = 57.
    assert.deepEqual(widthsOf(morph(0.75).arch), { stem: 70, 'r001.conv1': 35, 'r001.conv2': 70, 'r002.conv1': 57, 'r002.conv2': 70 });
  });

  it('e = 0 keeps the shrunk widths and e = 1 takes ω·C', () => {
    assert.deepEqual(widthsOf(morph(0).arch), { stem: 40, 'r001.conv1': 20, 'r001.conv2': 40, 'r002.conv1': 33, 'r002.conv2': 40 });
    assert.deepEqual(widthsOf(morph(1).arch), { stem: 80, 'r001.conv1': 40, 'r001.conv2': 80, 'r002.conv1': 66, 'r002.conv2': 80 });
  });
});
