import assert from 'node:assert/strict';
import { decideDeletion, type DeletionGate } from '../../../src/core/search/delete';
import { StructuralChangeSchema } from '../../../src/protocol/events';
import { block, conv, dense, net, pool } from './fixtures';

const arch = net([conv('stem', 16), block('r001', 16), pool('p'), block('r002', 16), block('s1', 16, { origin: 'seed' }), dense('fc', 10)]);
const gateOff: DeletionGate = { enabled: false, firstOfCycle: false, previousAccuracy: null, accuracy: 0, threshold: 0.015 };

describe('deletion', () => {
  it('removes a block whose second conv fell below τ: both convs and the skip', () => {
    const meanAbs = new Map([
      ['r001.conv1', 0.02],
      ['r001.conv2', 0.01],
      ['r002.conv1', 0.05],
      ['r002.conv2', 0.0004],
      // Seed convs are never tested, whatever their weights.
      ['s1.conv1', 0.0],
      ['stem', 0.0],
    ]);
    const result = decideDeletion({ arch, meanAbs, threshold: 1e-3, gate: gateOff });
    assert.ok(result.deleted);
    assert.deepEqual(result.arch.layers.map((l) => l.id), ['stem', 'r001.conv1', 'r001.conv2', 'p', 's1.conv1', 's1.conv2', 'fc']);
    assert.deepEqual(result.arch.skips.map((s) => s.id), ['r001', 's1']);
    assert.deepEqual(result.change.blockIds, ['r002']);
    assert.deepEqual(result.change.layerIds, ['r002.conv1', 'r002.conv2']);
    assert.deepEqual(result.change.meanAbsWeights, { 'r001.conv1': 0.02, 'r001.conv2': 0.01, 'r002.conv1': 0.05, 'r002.conv2': 0.0004 });
    assert.equal(result.change.threshold, 1e-3);
    assert.match(result.change.reason, /"r002.conv2" 0.0004/);
    StructuralChangeSchema.parse(result.change);
    assert.equal(arch.layers.length, 9, 'the input architecture is not modified');
  });

  it('removes every marked block at once', () => {
    const meanAbs = new Map([
      ['r001.conv1', 0.0009],
      ['r002.conv2', 0.0001],
    ]);
    const result = decideDeletion({ arch, meanAbs, threshold: 1e-3, gate: gateOff });
    assert.ok(result.deleted);
    assert.deepEqual(result.change.blockIds, ['r001', 'r002']);
    assert.deepEqual(result.arch.layers.map((l) => l.id), ['stem', 'p', 's1.conv1', 's1.conv2', 'fc']);
  });

  it('keeps the net when no inserted conv is below τ', () => {
    const result = decideDeletion({ arch, meanAbs: new Map([['r001.conv1', 0.001], ['r002.conv1', 0.3]]), threshold: 1e-3, gate: gateOff });
    assert.equal(result.deleted, false);
    assert.equal(result.arch, arch);
    assert.equal(result.change.kind, 'delete-skipped');
    assert.match(result.change.reason, /smallest: "r001.conv1" at 0.001/);
    StructuralChangeSchema.parse(result.change);
  });

  describe('momentum gate', () => {
    const meanAbs = new Map([['r002.conv2', 0.0001]]);
    const gate = (accuracy: number, extra: Partial<DeletionGate> = {}): DeletionGate => ({ enabled: true, firstOfCycle: false, previousAccuracy: 0.9, accuracy, threshold: 0.015, ...extra });

    it('skips the deletion when the accuracy rose by more than the threshold (+0.016)', () => {
      const result = decideDeletion({ arch, meanAbs, threshold: 1e-3, gate: gate(0.916) });
      assert.equal(result.deleted, false);
      assert.equal(result.arch, arch);
      assert.equal(result.change.kind, 'delete-skipped');
      assert.deepEqual(result.change.kind === 'delete-skipped' && result.change.gate, { previousAccuracy: 0.9, accuracy: 0.916, threshold: 0.015 });
      assert.match(result.change.reason, /momentum gate.*0\.9 to 0\.916 \(\+0\.016\)/);
      StructuralChangeSchema.parse(result.change);
    });

    it('deletes when the accuracy rose by less than the threshold (+0.014)', () => {
      const result = decideDeletion({ arch, meanAbs, threshold: 1e-3, gate: gate(0.914) });
      assert.ok(result.deleted);
      assert.deepEqual(result.change.blockIds, ['r002']);
      assert.match(result.change.reason, /accuracy rose by 1\.4 points, not more than the momentum gate's 1\.5 points/);
    });

    it('says a drop in accuracy fell, not that it is within the threshold', () => {
      const result = decideDeletion({ arch, meanAbs, threshold: 1e-3, gate: gate(0.7965) });
      assert.ok(result.deleted);
      assert.match(result.change.reason, /accuracy fell by 10\.35 points; the momentum gate holds deletions back only after a gain above 1\.5 points/);
      assert.doesNotMatch(result.change.reason, /within/);
    });

    it('always deletes on the first step of a cycle, and when the gate is off', () => {
      assert.ok(decideDeletion({ arch, meanAbs, threshold: 1e-3, gate: gate(0.99, { firstOfCycle: true }) }).deleted);
      assert.ok(decideDeletion({ arch, meanAbs, threshold: 1e-3, gate: gate(0.99, { enabled: false }) }).deleted);
      assert.ok(decideDeletion({ arch, meanAbs, threshold: 1e-3, gate: gate(0.99, { previousAccuracy: null }) }).deleted);
    });
  });

  it('rejects a mean |W| that is not a number', () => {
    assert.throws(() => decideDeletion({ arch, meanAbs: new Map([['r001.conv1', Number.NaN]]), threshold: 1e-3, gate: gateOff }), /"r001.conv1"/);
  });
});
