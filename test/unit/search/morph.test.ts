import assert from 'node:assert/strict';
import { decideMorph, type MorphInput } from '../../../src/core/search/morph';
import { channelGroups } from '../../../src/core/search/channel-groups';
import { groupAliveCounts } from '../../../src/core/search/morphnet-ops';
import { countFlops } from '../../../src/core/arch/cost';
import { resnet18 } from '../../../src/core/arch/seeds';
import { resolveArchitecture } from '../../../src/core/arch/resolve';
import type { Architecture, ConvLayer } from '../../../src/core/arch/types';
import { StructuralChangeSchema } from '../../../src/protocol/events';
import { block, conv, dense, net, pool } from './fixtures';

const T = 1e9;
const base = (arch: Architecture, alive: Record<string, number>, over: Partial<MorphInput> = {}): MorphInput => ({
  arch,
  alive: new Map(Object.entries(alive)),
  flopsForOmega: T / 4,
  targetFlops: T,
  shrinkIntensity: 1,
  expandIntensity: 0.5,
  omegaFromShrunkNet: false,
  ...over,
});
const widthsOf = (arch: Architecture): Record<string, number> =>
  Object.fromEntries(arch.layers.filter((l): l is ConvLayer => l.kind === 'conv').map((l) => [l.id, l.width]));

describe('MORPH resize', () => {
  const arch = net([conv('stem', 64, { kernel: 7, stride: 2 }), block('r001', 64), pool('p'), block('r002', 64), dense('fc', 1000)]);

  it('follows docs/algorithm.md, "Expand": C = 40 after the shrink, ω = 2 → 60', () => {
    const result = decideMorph(base(arch, { stem: 40, 'r001.conv1': 20, 'r001.conv2': 40, 'r002.conv1': 33, 'r002.conv2': 40 }));
    assert.equal(result.omega, 2);
    assert.deepEqual(widthsOf(result.arch), { stem: 60, 'r001.conv1': 30, 'r001.conv2': 60, 'r002.conv1': 49, 'r002.conv2': 60 });
    assert.equal(result.arch.layers.find((l) => l.id === 'fc')!.kind === 'dense' && (result.arch.layers.find((l) => l.id === 'fc') as { units: number }).units, 1000);
    assert.deepEqual(result.change.widths.stem, { from: 64, to: 60 });
    assert.deepEqual(result.change.alive, { stem: 40, 'r001.conv1': 20, 'r001.conv2': 40, 'r002.conv1': 33, 'r002.conv2': 40 });
    assert.match(result.change.reason, /ω = sqrt\(1\.00 GFLOPs \/ 250 MFLOPs\) = 2/);
    StructuralChangeSchema.parse(result.change);
  });

  it('blends by the shrink and expand intensities with floors at both steps', () => {
    // s = 0.5: floor(0.5·40 + 0.5·64) = 52; ω = 1.5: floor(1.5·52) = 78; e = 0.5: floor(0.5·78 + 0.5·52) = 65.
    const result = decideMorph(base(arch, { stem: 40, 'r001.conv1': 41, 'r001.conv2': 40, 'r002.conv1': 3, 'r002.conv2': 40 }, { shrinkIntensity: 0.5, flopsForOmega: T / 2.25 }));
    assert.ok(Math.abs(result.omega - 1.5) < 1e-12);
    // r001.conv1: floor(0.5·41+32) = 52 → 65; r002.conv1: floor(1.5+32) = 33 → floor(0.5·49 + 16.5) = 41.
    assert.deepEqual(widthsOf(result.arch), { stem: 65, 'r001.conv1': 65, 'r001.conv2': 65, 'r002.conv1': 41, 'r002.conv2': 65 });
  });

  it('removes a block whose first conv has no alive channel, with its skip', () => {
    const result = decideMorph(base(arch, { stem: 40, 'r001.conv1': 0, 'r001.conv2': 40, 'r002.conv1': 8, 'r002.conv2': 40 }));
    assert.deepEqual(result.arch.layers.map((l) => l.id), ['stem', 'p', 'r002.conv1', 'r002.conv2', 'fc']);
    assert.deepEqual(result.arch.skips.map((s) => s.id), ['r002']);
    assert.deepEqual(result.change.removedBlockIds, ['r001']);
    assert.deepEqual(result.change.removedLayerIds, ['r001.conv1', 'r001.conv2']);
    assert.deepEqual(result.change.widths['r001.conv1'], { from: 64, to: 0 });
    assert.deepEqual(result.change.widths['r001.conv2'], { from: 64, to: 0 });
  });

  it('clamps the stem and the residual stream it shares a group with to one channel instead of removing them', () => {
    const result = decideMorph(base(arch, { stem: 0, 'r001.conv1': 5, 'r001.conv2': 0, 'r002.conv1': 5, 'r002.conv2': 0 }));
    assert.deepEqual(widthsOf(result.arch), { stem: 1, 'r001.conv1': 7, 'r001.conv2': 1, 'r002.conv1': 7, 'r002.conv2': 1 });
    assert.deepEqual(result.change.removedBlockIds, []);
    assert.match(result.change.reason, /kept at 1 channel instead of 0: "stem", "r001.conv2", "r002.conv2"/);
  });

  it('removes blocks that an expansion with ω < 1 brings to zero', () => {
    const small = net([conv('stem', 8), block('a', 1, { width2: 8 }), dense('fc', 4)], { input: [8, 8, 1] });
    const result = decideMorph(base(small, { stem: 8, 'a.conv1': 1, 'a.conv2': 8 }, { flopsForOmega: T * 4 }));
    assert.equal(result.omega, 0.5);
    assert.deepEqual(widthsOf(result.arch), { stem: 6 });
    assert.deepEqual(result.change.removedBlockIds, ['a']);
  });

  it('computes ω from the shrunk network when asked (canonical MorphNet)', () => {
    const alive = { stem: 40, 'r001.conv1': 20, 'r001.conv2': 40, 'r002.conv1': 10, 'r002.conv2': 40 };
    const shrunk: Architecture = { ...arch, layers: arch.layers.map((l) => (l.kind === 'conv' ? { ...l, width: alive[l.id as keyof typeof alive] } : l)) };
    const result = decideMorph(base(arch, alive, { omegaFromShrunkNet: true, flopsForOmega: 1 }));
    assert.equal(result.flops, countFlops(shrunk));
    assert.ok(Math.abs(result.omega - Math.sqrt(T / countFlops(shrunk))) < 1e-12);
    assert.match(result.change.reason, /shrunk network/);
  });

  it('keeps ResNet18 consistent: one width per channel group, projections follow the blocks', () => {
    for (const style of ['reference', 'standard'] as const) {
      const r18 = resnet18({ height: 32, width: 32, channels: 3 }, 10, style);
      const groups = channelGroups(r18);
      let seed = 12345;
      const random = (): number => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648;
      };
      const masks = new Map<string, number[]>();
      for (const g of groups.groups.values()) {
        const p = random();
        masks.set(g.id, Array.from({ length: g.size }, () => (random() < p ? 1 : 0)));
      }
      // One block's first conv fully dead: the block must go.
      masks.set('s3b2.conv1', new Array(groups.groups.get('s3b2.conv1')!.size).fill(0));
      const alive = groupAliveCounts(groups, masks);
      const result = decideMorph(base(r18, Object.fromEntries(alive), { flopsForOmega: countFlops(r18), targetFlops: countFlops(r18) * 2 }));
      resolveArchitecture(result.arch);
      assert.ok(result.change.removedBlockIds.includes('s3b2'));
      const after = channelGroups(result.arch);
      for (const g of after.groups.values()) {
        const widths = new Set(g.members.filter((m) => after.ops.get(m)!.kind === 'conv').map((m) => after.ops.get(m)!.width));
        assert.ok(widths.size <= 1, `group ${g.id} has widths ${[...widths]}`);
      }
      StructuralChangeSchema.parse(result.change);
    }
  });

  it('rejects alive counts that are missing, out of range or not grouped', () => {
    assert.throws(() => decideMorph(base(arch, { stem: 40 })), /no alive count for conv "r001.conv1"/);
    assert.throws(() => decideMorph(base(arch, { stem: 65, 'r001.conv1': 1, 'r001.conv2': 1, 'r002.conv1': 1, 'r002.conv2': 1 })), /alive count 65 of conv "stem"/);
    assert.throws(() => decideMorph(base(arch, { stem: 40, 'r001.conv1': 1, 'r001.conv2': 39, 'r002.conv1': 1, 'r002.conv2': 40 })), /pass grouped alive counts/);
  });
});
