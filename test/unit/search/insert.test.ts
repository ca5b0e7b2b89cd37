import assert from 'node:assert/strict';
import { insertedBlockId, proposeInsertion } from '../../../src/core/search/insert';
import { architectureKey } from '../../../src/core/search/key';
import { legalSlots } from '../../../src/core/search/stages';
import { emptyNet, resnet18 } from '../../../src/core/arch/seeds';
import { resolveArchitecture } from '../../../src/core/arch/resolve';
import { StructuralChangeSchema } from '../../../src/protocol/events';
import { block, conv, net, pool, ScriptedRng } from './fixtures';

const cifar = { height: 32, width: 32, channels: 3 };

describe('insertion', () => {
  it('adds a block of two 3×3/1 convs right after the drawn slot, named after the step', () => {
    const arch = emptyNet(cifar, 10, 'reference');
    const result = proposeInsertion(arch, new ScriptedRng([0, 0]), 7, new Set(), 9);
    assert.ok(result.inserted);
    assert.equal(insertedBlockId(7), 'r007');
    assert.deepEqual(result.arch.layers.map((l) => l.id), ['stem', 'r007.conv1', 'r007.conv2', 'maxpool', 'avgpool', 'fc1000']);
    for (const id of ['r007.conv1', 'r007.conv2']) {
      assert.deepEqual(result.arch.layers.find((l) => l.id === id), { kind: 'conv', id, width: 64, kernel: 3, stride: 1, origin: 'inserted', insertedAt: 7 });
    }
    assert.deepEqual(result.arch.skips, [{ id: 'r007', from: 'r007.conv1', to: 'r007.conv2' }]);
    assert.deepEqual(arch.layers.map((l) => l.id), ['stem', 'maxpool', 'avgpool', 'fc1000'], 'the input architecture is not modified');
    assert.equal(result.key, architectureKey(result.arch));
    resolveArchitecture(result.arch);
    const change = StructuralChangeSchema.parse(result.change);
    assert.equal(change.kind, 'insert');
    assert.match(result.change.reason, /stage 1 of 3, slot 1 of 1/);
    assert.match(result.change.reason, /width 64/);
  });

  it('takes the width of the last conv at or before the slot', () => {
    const arch = resnet18(cifar, 10, 'reference');
    const stages = legalSlots(arch);
    const cases: [number, string, number][] = [
      [0, 'stem', 64],
      [1, 'maxpool', 64],
      [1, 's2b2.conv2', 128],
      [1, 's3b1.conv2', 256],
      [2, 'avgpool', 512],
    ];
    for (const [stage, slot, width] of cases) {
      const result = proposeInsertion(arch, new ScriptedRng([stage, stages[stage].slots.indexOf(slot)]), 2, new Set(), 1);
      assert.ok(result.inserted);
      assert.equal(result.change.slot, slot);
      assert.equal(result.change.width, width, slot);
      const at = result.arch.layers.findIndex((l) => l.id === slot);
      assert.equal(result.arch.layers[at + 1].id, 'r002.conv1');
      resolveArchitecture(result.arch);
    }
  });

  it('redraws a duplicate of a visited architecture and reports how many draws it took', () => {
    const arch = net([conv('stem', 16), block('a', 16), pool('p')]);
    // Slots: stage 0 = [stem, a.conv2], stage 1 = [p]. Inserting after stem or after a.conv2 gives the same key.
    const first = proposeInsertion(arch, new ScriptedRng([0, 0]), 3, new Set(), 1);
    assert.ok(first.inserted);
    const visited = new Set([first.key]);
    const rng = new ScriptedRng([0, 1, 0, 0, 1, 0]);
    const result = proposeInsertion(arch, rng, 3, visited, 9);
    assert.ok(result.inserted);
    assert.equal(result.change.attempts, 3, 'two duplicate draws (after a.conv2, after stem), then the pool');
    assert.equal(result.change.slot, 'p');
    assert.match(result.change.reason, /2 earlier draws gave an architecture already visited/);
    assert.equal(rng.asked.length, 6);
  });

  it('skips the insertion and says so when every attempt gives a visited architecture', () => {
    const arch = net([conv('stem', 16), block('a', 16)]);
    const only = proposeInsertion(arch, new ScriptedRng([0, 0]), 4, new Set(), 1);
    assert.ok(only.inserted);
    const result = proposeInsertion(arch, new ScriptedRng([0, 0, 0, 1, 0, 0]), 4, new Set([only.key]), 3);
    assert.equal(result.inserted, false);
    assert.equal(result.arch, arch);
    assert.deepEqual(StructuralChangeSchema.parse(result.change), result.change);
    assert.equal(result.change.kind, 'insert-skipped');
    assert.equal(result.change.attempts, 3);
    assert.match(result.change.reason, /all 3 draws/);
  });

  it('asks for a zero start of the new block\'s output in the standard style, and in the reference style only on request', () => {
    for (const [style, flag, expected] of [
      ['standard', false, ['r001.conv2']],
      ['reference', false, []],
      ['reference', true, ['r001.conv2']],
    ] as const) {
      const arch = emptyNet(cifar, 10, style);
      const result = proposeInsertion(arch, new ScriptedRng([1, 0]), 1, new Set(), 1, flag);
      assert.ok(result.inserted);
      assert.deepEqual(result.zeroInitLayerIds, expected);
    }
  });

  it('rejects bad arguments with messages that say what to fix', () => {
    const arch = emptyNet(cifar, 10, 'reference');
    assert.throws(() => proposeInsertion(arch, new ScriptedRng([0, 0]), 1, new Set(), 0), /insertionAttempts/);
    assert.throws(() => proposeInsertion(arch, new ScriptedRng([5, 0]), 1, new Set(), 1), /integer in \[0, 3\)/);
    const once = proposeInsertion(arch, new ScriptedRng([0, 0]), 1, new Set(), 1);
    assert.throws(() => proposeInsertion(once.arch, new ScriptedRng([0, 0]), 1, new Set(), 1), /"r001" is already used/);
  });
});
