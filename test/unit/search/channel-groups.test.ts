import assert from 'node:assert/strict';
import { channelGroups, groupOfChannel, CLASSIFIER_ID } from '../../../src/core/search/channel-groups';
import { aliveFlops, allAliveCounts, fullMorphnetFlops, groupAliveCounts, morphnetOps } from '../../../src/core/search/morphnet-ops';
import { countFlops } from '../../../src/core/arch/cost';
import { emptyNet, resnet18, resnet20 } from '../../../src/core/arch/seeds';
import { ArchitectureError } from '../../../src/core/arch/resolve';
import { block, conv, dense, net, pool } from './fixtures';

function membersOf(arch: Parameters<typeof channelGroups>[0], op: string): string[] {
  const g = channelGroups(arch);
  return g.groups.get(g.ops.get(op)!.outGroup)!.members;
}

describe('channel groups', () => {
  it('groups the stem with the last conv of every inserted reference block; first convs stay alone', () => {
    const arch = net([conv('stem', 64, { kernel: 7, stride: 2 }), block('r001', 64), pool('maxpool'), block('r002', 64), block('r003', 64), pool('avgpool', 'avg'), dense('fc', 100)]);
    const g = channelGroups(arch);
    assert.deepEqual(membersOf(arch, 'stem'), ['stem', 'r001.conv2', 'r002.conv2', 'r003.conv2']);
    for (const id of ['r001.conv1', 'r002.conv1', 'r003.conv1', 'fc', CLASSIFIER_ID]) assert.deepEqual(membersOf(arch, id), [id]);
    assert.equal(g.groups.size, 6);
    // Inputs: the image for the stem, the residual stream for each block's first conv, the dense and the classifier.
    assert.equal(g.ops.get('stem')!.inGroup, null);
    assert.equal(g.ops.get('stem')!.inPadding, 3);
    for (const id of ['r001.conv1', 'r002.conv1', 'r003.conv1', 'fc']) assert.equal(g.ops.get(id)!.inGroup, 'stem');
    assert.equal(g.ops.get('r002.conv2')!.inGroup, 'r002.conv1');
    assert.equal(g.ops.get(CLASSIFIER_ID)!.inGroup, 'fc');
  });

  it('also holds for the seed empty net with blocks inserted in both styles', () => {
    for (const style of ['reference', 'standard'] as const) {
      const base = emptyNet({ height: 32, width: 32, channels: 3 }, 10, style);
      const b = block('r001', 64);
      const arch = { ...base, layers: [base.layers[0], ...b.layers, ...base.layers.slice(1)], skips: [b.skip] };
      assert.deepEqual(membersOf(arch, 'stem'), ['stem', 'r001.conv2']);
      assert.deepEqual(membersOf(arch, 'r001.conv1'), ['r001.conv1']);
    }
  });

  it('aligns channels by index across a padded shortcut when the block output is narrower (c_x < c_s)', () => {
    const arch = net([conv('stem', 8), block('b', 4), dense('fc', 5)], { input: [8, 8, 1] });
    const g = channelGroups(arch);
    const group = g.groups.get('stem')!;
    assert.deepEqual(group.members, ['stem', 'b.conv2']);
    assert.equal(group.size, 8);
    assert.deepEqual(groupOfChannel(g, 'b.conv2', 3), { group: 'stem', index: 3 });
    assert.deepEqual(groupOfChannel(g, 'stem', 7), { group: 'stem', index: 7 });
    assert.throws(() => groupOfChannel(g, 'b.conv2', 4), /4 output channels|has 4/);
    // The stream after the add is 8 wide: the stem is its widest member.
    assert.equal(g.ops.get('fc')!.inSource, 'stem');
    assert.equal(g.ops.get('fc')!.inChannels, 8);
  });

  it('aligns channels by index across a padded shortcut when the block output is wider (c_x > c_s)', () => {
    const arch = net([conv('stem', 4), block('b', 8), block('c', 8)], { input: [8, 8, 1] });
    const g = channelGroups(arch);
    const group = g.groups.get('stem')!;
    assert.deepEqual(group.members, ['stem', 'b.conv2', 'c.conv2']);
    assert.equal(group.size, 8);
    assert.deepEqual(groupOfChannel(g, 'b.conv2', 6), { group: 'stem', index: 6 });
    assert.equal(g.ops.get('c.conv1')!.inSource, 'b.conv2');
    assert.equal(g.ops.get('c.conv1')!.inChannels, 8);
    assert.equal(g.ops.get('b.conv1')!.inSource, 'stem');
  });

  it('puts a reference 1×1 shortcut conv into the block output group and starts a new stream there', () => {
    const arch = net([conv('stem', 4), block('b', 8, { stride: 2 }), block('c', 8)], { input: [8, 8, 1] });
    const g = channelGroups(arch);
    assert.deepEqual(membersOf(arch, 'b.conv2'), ['b.conv2', 'b.proj', 'c.conv2']);
    assert.deepEqual(membersOf(arch, 'stem'), ['stem']);
    const proj = g.ops.get('b.proj')!;
    assert.equal(proj.kind, 'projection');
    assert.equal(proj.inGroup, 'stem');
    assert.equal(proj.inChannels, 4);
    assert.equal(proj.inPadding, 4, 'the shortcut is zero-padded from 4 to 8 channels before the projection');
    assert.equal(proj.width, 8);
  });

  it('groups a standard projection with the block output, not with the shortcut', () => {
    const arch = net([conv('stem', 4), block('b', 8, { stride: 2 }), block('c', 8)], { input: [8, 8, 1], style: 'standard' });
    const g = channelGroups(arch);
    assert.deepEqual(membersOf(arch, 'b.proj'), ['b.conv2', 'b.proj', 'c.conv2']);
    assert.equal(g.ops.get('b.proj')!.inPadding, 0);
    assert.equal(g.ops.get('b.proj')!.inChannels, 4);
  });

  it('has every op cost counted like countFlops when all channels are alive', () => {
    const archs = [
      resnet18({ height: 32, width: 32, channels: 3 }, 10, 'reference'),
      resnet18({ height: 32, width: 32, channels: 3 }, 10, 'standard'),
      resnet20({ height: 32, width: 32, channels: 3 }, 10, 'standard'),
      net([conv('stem', 8), block('b', 4), pool('p'), block('c', 12, { stride: 2 }), dense('fc', 7)], { input: [16, 16, 2] }),
    ];
    for (const arch of archs) {
      assert.equal(fullMorphnetFlops(arch), countFlops(arch));
      assert.equal(aliveFlops(arch, allAliveCounts(channelGroups(arch))), countFlops(arch));
    }
  });

  it('uses conv and dense coefficients 2·H·W·k² and 2, and can leave the classifier out', () => {
    const arch = net([conv('stem', 4, { kernel: 5, stride: 2 }), block('b', 4), dense('fc', 6)], { input: [8, 8, 2], classes: 3 });
    const ops = morphnetOps(arch, { excludeClassifier: false });
    const coeff = Object.fromEntries(ops.map((o) => [o.id, o.coeff]));
    assert.deepEqual(coeff, { stem: 2 * 4 * 4 * 25, 'b.conv1': 2 * 4 * 4 * 9, 'b.conv2': 2 * 4 * 4 * 9, fc: 2, classifier: 2 });
    assert.deepEqual(
      morphnetOps(arch, { excludeClassifier: true }).map((o) => o.id),
      ['stem', 'b.conv1', 'b.conv2', 'fc'],
    );
  });

  it('computes F from grouped alive counts: A_in is the alive count of the op that feeds the stream', () => {
    const arch = net([conv('stem', 4, { stride: 2 }), block('b', 4), dense('fc', 6)], { input: [8, 8, 2], classes: 3 });
    const g = channelGroups(arch);
    // Group "stem" (stem + b.conv2): channels 0 and 2 alive; b.conv1: 3 alive; fc: 5; classifier: 3.
    const counts = groupAliveCounts(
      g,
      new Map<string, ArrayLike<number>>([
        ['stem', [1, 0, 1, 0]],
        ['b.conv1', [1, 1, 1, 0]],
        ['fc', [1, 1, 1, 1, 1, 0]],
        ['classifier', [1, 1, 1]],
      ]),
    );
    assert.deepEqual(Object.fromEntries(counts), { stem: 2, 'b.conv1': 3, 'b.conv2': 2, fc: 5, classifier: 3 });
    const hw = 4 * 4 * 9 * 2;
    const expected = hw * 2 * 2 + hw * 2 * 3 + hw * 3 * 2 + 2 * 2 * 5 + 2 * 5 * 3;
    assert.equal(aliveFlops(arch, counts), expected);
    assert.throws(() => aliveFlops(arch, new Map([['stem', 2]])), /No alive count for "b.conv1"/);
  });

  it('rejects a layer id that collides with an op name it needs', () => {
    const arch = net([conv('classifier', 4)], { input: [4, 4, 1] });
    assert.throws(() => channelGroups(arch), (e: unknown) => e instanceof ArchitectureError && e.at === 'classifier');
  });
});
