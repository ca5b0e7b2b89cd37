/** DELETE's reason text and what it tests, and the architecture key of the duplicate check. */
import assert from 'node:assert/strict';
import { decideDeletion, type DeletionGate } from '../../../src/core/search/delete';
import { architectureKey } from '../../../src/core/search/key';
import { block, conv, dense, net, pool } from './fixtures';

const arch = net([conv('stem', 16), block('r001', 16), pool('p'), block('r002', 16), dense('fc', 10)]);
const gate = (extra: Partial<DeletionGate> = {}): DeletionGate => ({ enabled: true, firstOfCycle: false, previousAccuracy: 0.5, accuracy: 0.5, threshold: 0.25, ...extra });

describe('deletion reason and inputs', () => {
  it('names the deleted blocks, their layers, the weights and the gate', () => {
    const one = decideDeletion({ arch, meanAbs: new Map([['r002.conv2', 0.0001]]), threshold: 1e-3, gate: gate({ enabled: false }) });
    assert.equal(one.change.reason, 'Deleted block "r002" (layers "r002.conv1", "r002.conv2"): mean |W| below 0.001 for "r002.conv2" 0.0001; momentum gate off.');
    const two = decideDeletion({ arch, meanAbs: new Map([['r001.conv1', 0.0002], ['r002.conv2', 0.0001]]), threshold: 1e-3, gate: gate({ firstOfCycle: true }) });
    assert.equal(
      two.change.reason,
      'Deleted blocks "r001", "r002" (layers "r001.conv1", "r001.conv2", "r002.conv1", "r002.conv2"): mean |W| below 0.001 for "r001.conv1" 0.0002, "r002.conv2" 0.0001; first step of the cycle, so the momentum gate does not apply.',
    );
  });

  it('says why nothing was deleted, naming the smallest weight (the first one on a tie)', () => {
    const none = decideDeletion({ arch, meanAbs: new Map(), threshold: 1e-3, gate: gate({ previousAccuracy: null }) });
    assert.equal(none.change.reason, 'Nothing to delete: no inserted conv was tested (no previous accuracy for the momentum gate).');
    const kept = decideDeletion({ arch, meanAbs: new Map([['r001.conv1', 0.5], ['r001.conv2', 0.02], ['r002.conv1', 0.02], ['r002.conv2', 0.3]]), threshold: 1e-3, gate: gate({ accuracy: 0.6 }) });
    assert.equal(kept.change.reason, 'Nothing to delete: no inserted conv has mean |W| below 0.001 (smallest: "r001.conv2" at 0.02; accuracy rose by 10 points, not more than the momentum gate\'s 25 points).');
  });

  it('deletes when the accuracy rose by exactly the gate threshold', () => {
    assert.ok(decideDeletion({ arch, meanAbs: new Map([['r002.conv2', 0.0001]]), threshold: 1e-3, gate: gate({ accuracy: 0.75 }) }).deleted);
  });

  it('tests only inserted convs, and accepts a mean |W| of exactly 0', () => {
    const result = decideDeletion({ arch, meanAbs: new Map([['stem', 0], ['fc', 0], ['p', 0], ['r001.conv1', 0]]), threshold: 1e-3, gate: gate({ enabled: false }) });
    assert.deepEqual(result.change.meanAbsWeights, { 'r001.conv1': 0 });
    assert.ok(result.deleted);
    assert.deepEqual(result.change.blockIds, ['r001']);
    assert.throws(() => decideDeletion({ arch, meanAbs: new Map([['r001.conv1', -0.1]]), threshold: 1e-3, gate: gate() }), /mean \|W\| of "r001.conv1" is -0.1/);
  });
});

describe('architecture key', () => {
  it('is the layer sequence with conv widths, pool types and dense sizes', () => {
    const a = net([conv('stem', 16), block('r001', 8), pool('p', 'avg'), dense('fc', 10)]);
    assert.equal(architectureKey(a), 'conv16|conv8|conv8|avgpool|dense10');
    assert.equal(architectureKey(net([conv('x', 16), pool('q', 'max'), dense('y', 7)])), 'conv16|maxpool|dense7');
  });
});
