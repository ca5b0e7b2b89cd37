import assert from 'node:assert/strict';
import { legalSlots, stagesOf } from '../../../src/core/search/stages';
import { proposeInsertion } from '../../../src/core/search/insert';
import { resnet18, resnet20 } from '../../../src/core/arch/seeds';
import { block, conv, dense, net, pool, ScriptedRng } from './fixtures';

const cifar = { height: 32, width: 32, channels: 3 };
const blockEnds18 = ['s1b1', 's1b2', 's2b1', 's2b2', 's3b1', 's3b2', 's4b1', 's4b2'].map((b) => `${b}.conv2`);

describe('stages and legal slots', () => {
  it('partitions ResNet18 into {stem}, {max pool + 8 blocks}, {avg pool}', () => {
    const arch = resnet18(cifar, 10, 'reference');
    const stages = stagesOf(arch);
    assert.equal(stages.length, 3);
    assert.deepEqual(stages[0].layerIds, ['stem']);
    assert.equal(stages[1].layerIds[0], 'maxpool');
    assert.equal(stages[1].layerIds.length, 17);
    assert.deepEqual(stages[2].layerIds, ['avgpool'], 'the dense layer belongs to no stage');
    const slots = legalSlots(arch);
    assert.deepEqual(slots.map((s) => s.slots), [['stem'], ['maxpool', ...blockEnds18], ['avgpool']]);
  });

  it('draws each ResNet18 stage with probability 1/3 and a slot uniformly inside it', () => {
    const arch = resnet18(cifar, 10, 'reference');
    const stages = legalSlots(arch);
    // Enumerate every outcome of the two uniform draws; each has probability 1/3 · 1/|slots|.
    const probability = new Map<string, number>();
    const stageProbability = [0, 0, 0];
    for (let s = 0; s < stages.length; s++) {
      for (let t = 0; t < stages[s].slots.length; t++) {
        const rng = new ScriptedRng([s, t]);
        const result = proposeInsertion(arch, rng, 1, new Set(), 1);
        assert.ok(result.inserted);
        assert.deepEqual(rng.asked, [3, stages[s].slots.length], 'a stage is drawn among 3, then a slot among the stage\'s slots');
        const p = (1 / rng.asked[0]) * (1 / rng.asked[1]);
        probability.set(result.change.slot, (probability.get(result.change.slot) ?? 0) + p);
        stageProbability[result.change.stage] += p;
      }
    }
    for (const p of stageProbability) assert.ok(Math.abs(p - 1 / 3) < 1e-12);
    assert.ok(Math.abs(probability.get('stem')! - 1 / 3) < 1e-12);
    assert.ok(Math.abs(probability.get('avgpool')! - 1 / 3) < 1e-12);
    for (const id of ['maxpool', ...blockEnds18]) assert.ok(Math.abs(probability.get(id)! - 1 / 27) < 1e-12);
  });

  it('opens a stage at a strided block when the net has no pools (ResNet-20)', () => {
    const arch = resnet20(cifar, 10, 'standard');
    const slots = legalSlots(arch);
    assert.deepEqual(
      slots.map((s) => s.slots),
      [
        ['stem', 's1b1.conv2', 's1b2.conv2', 's1b3.conv2'],
        ['s2b1.conv2', 's2b2.conv2', 's2b3.conv2'],
        ['s3b1.conv2', 's3b2.conv2', 's3b3.conv2'],
      ],
    );
    assert.equal(stagesOf(arch)[1].layerIds[0], 's2b1.conv1');
  });

  it('ignores strides for stages when the net has pools', () => {
    const arch = net([conv('stem', 8), block('a', 8), pool('p'), block('b', 16, { stride: 2 }), block('c', 16)]);
    assert.deepEqual(legalSlots(arch).map((s) => s.slots), [['stem', 'a.conv2'], ['p', 'b.conv2', 'c.conv2']]);
  });

  it('never offers a slot strictly inside a block, not even the first layer', () => {
    const arch = net([block('a', 8, { origin: 'seed' }), pool('p'), block('b', 8), dense('fc', 10)]);
    const stages = legalSlots(arch);
    assert.deepEqual(stages.map((s) => s.slots), [['a.conv2'], ['p', 'b.conv2']]);
    const inner = net([conv('stem', 8), conv('x1', 8), conv('x2', 8), conv('x3', 8), pool('p')]);
    inner.skips.push({ id: 'x', from: 'x1', to: 'x3' });
    assert.deepEqual(legalSlots(inner).map((s) => s.slots), [['stem', 'x3'], ['p']]);
  });

  it('starts with the pool stage when the first layer is a pool', () => {
    const arch = net([pool('p'), conv('c', 4), pool('q', 'avg')]);
    const stages = stagesOf(arch);
    assert.deepEqual(stages.map((s) => s.layerIds), [['p', 'c'], ['q']]);
    assert.deepEqual(legalSlots(arch).map((s) => s.index), [0, 1]);
  });
});
