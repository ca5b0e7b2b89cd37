/** MORPH's reason text, the width counts it reports, and the inputs it refuses. */
import assert from 'node:assert/strict';
import { decideMorph, type MorphInput } from '../../../src/core/search/morph';
import { fullMorphnetFlops } from '../../../src/core/search/morphnet-ops';
import type { Architecture } from '../../../src/core/arch/types';
import { block, conv, dense, net, pool } from './fixtures';

const T = 1e9;
const arch = net([conv('stem', 64, { kernel: 7, stride: 2 }), block('r001', 64), pool('p'), block('r002', 64), dense('fc', 1000)]);
const ALIVE = { stem: 40, 'r001.conv1': 20, 'r001.conv2': 40, 'r002.conv1': 33, 'r002.conv2': 40 };
const input = (alive: Record<string, number>, over: Partial<MorphInput> = {}): MorphInput => ({
  arch,
  alive: new Map(Object.entries(alive)),
  flopsForOmega: T / 4,
  targetFlops: T,
  shrinkIntensity: 1,
  expandIntensity: 0.5,
  omegaFromShrunkNet: false,
  ...over,
});
const HEAD = 'MorphNet resize: widths shrunk towards the alive channel counts (intensity 1), then expanded by ω = sqrt(1.00 GFLOPs / 250 MFLOPs) = 2 (F of the un-shrunk network, intensity 0.5)';

describe('MORPH reason and input checks', () => {
  it('says how the widths were computed and how many convs changed', () => {
    assert.equal(decideMorph(input(ALIVE)).change.reason, `${HEAD}; 5 of 5 convs changed width.`);
    const one = decideMorph(input({ stem: 64, 'r001.conv1': 64, 'r001.conv2': 64, 'r002.conv1': 32, 'r002.conv2': 64 }, { flopsForOmega: T }));
    assert.equal(one.change.reason, 'MorphNet resize: widths shrunk towards the alive channel counts (intensity 1), then expanded by ω = sqrt(1.00 GFLOPs / 1.00 GFLOPs) = 1 (F of the un-shrunk network, intensity 0.5); 1 of 5 convs changed width.');
  });

  it('names removed blocks and convs kept at one channel', () => {
    assert.equal(
      decideMorph(input({ ...ALIVE, 'r001.conv1': 0, 'r002.conv1': 8 })).change.reason,
      `${HEAD}; 5 of 5 convs changed width; blocks "r001" removed (a conv reached 0 channels).`,
    );
    assert.equal(
      decideMorph(input({ stem: 0, 'r001.conv1': 5, 'r001.conv2': 0, 'r002.conv1': 5, 'r002.conv2': 0 })).change.reason,
      `${HEAD}; 5 of 5 convs changed width; kept at 1 channel instead of 0: "stem", "r001.conv2", "r002.conv2" (outside any block or on the residual stream).`,
    );
  });

  it('leaves the classifier out of the shrunk network\'s F when asked', () => {
    const shrunk: Architecture = { ...arch, layers: arch.layers.map((l) => (l.kind === 'conv' ? { ...l, width: ALIVE[l.id as keyof typeof ALIVE] } : l)) };
    const without = decideMorph(input(ALIVE, { omegaFromShrunkNet: true, excludeClassifier: true }));
    const withClassifier = decideMorph(input(ALIVE, { omegaFromShrunkNet: true }));
    assert.equal(without.flops, fullMorphnetFlops(shrunk, { excludeClassifier: true }));
    assert.equal(withClassifier.flops, fullMorphnetFlops(shrunk, { excludeClassifier: false }));
    assert.ok(without.flops < withClassifier.flops);
  });

  it('refuses intensities outside [0, 1], naming which one', () => {
    for (const bad of [-0.01, 1.01, Number.NaN, Infinity]) {
      assert.throws(() => decideMorph(input(ALIVE, { shrinkIntensity: bad })), new RegExp(`shrinkIntensity must be in \\[0, 1\\], got ${bad}`));
      assert.throws(() => decideMorph(input(ALIVE, { expandIntensity: bad })), new RegExp(`expandIntensity must be in \\[0, 1\\], got ${bad}`));
    }
  });

  it('refuses a target or an F for ω that is not positive and finite', () => {
    assert.throws(() => decideMorph(input(ALIVE, { targetFlops: 0 })), /targetFlops must be positive, got 0/);
    assert.throws(() => decideMorph(input(ALIVE, { targetFlops: -1 })), /targetFlops must be positive/);
    assert.throws(() => decideMorph(input(ALIVE, { flopsForOmega: 0 })), /must be positive and finite, got 0/);
    assert.throws(() => decideMorph(input(ALIVE, { flopsForOmega: Infinity })), /must be positive and finite, got Infinity/);
  });

  it('refuses alive counts that are negative or not integers', () => {
    assert.throws(() => decideMorph(input({ ...ALIVE, stem: -1 })), /alive count -1 of conv "stem" must be an integer in \[0, 64\]/);
    assert.throws(() => decideMorph(input({ ...ALIVE, stem: 1.5 })), /alive count 1.5 of conv "stem"/);
    assert.equal(decideMorph(input({ ...ALIVE, stem: 64, 'r001.conv2': 64, 'r002.conv2': 64 })).change.alive.stem, 64);
  });
});
