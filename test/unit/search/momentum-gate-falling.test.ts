/** The momentum gate holds a deletion back only after a rise in accuracy, never after a drop. */
import assert from 'node:assert/strict';
import { decideDeletion, type DeletionGate } from '../../../src/core/search/delete';
import { block, conv, dense, net, pool } from './fixtures';

const arch = net([conv('stem', 16), block('r001', 16), pool('p'), block('r002', 16), dense('fc', 10)]);
const meanAbs = new Map([['r002.conv2', 0.0001]]);
const gate = (accuracy: number): DeletionGate => ({ enabled: true, firstOfCycle: false, previousAccuracy: 0.9, accuracy, threshold: 0.015 });

describe('momentum gate with falling accuracy', () => {
  it('deletes when the accuracy fell by more than the gate threshold (−0.05)', () => {
    const result = decideDeletion({ arch, meanAbs, threshold: 1e-3, gate: gate(0.85) });
    assert.ok(result.deleted, result.change.reason);
    assert.deepEqual(result.change.blockIds, ['r002']);
    assert.match(result.change.reason, /accuracy fell by 5 points; the momentum gate holds deletions back only after a gain above 1\.5 points/);
  });

  it('deletes when the accuracy fell by exactly the threshold, and holds back at the same rise', () => {
    assert.ok(decideDeletion({ arch, meanAbs, threshold: 1e-3, gate: gate(0.9 - 0.016) }).deleted);
    assert.equal(decideDeletion({ arch, meanAbs, threshold: 1e-3, gate: gate(0.9 + 0.016) }).deleted, false);
  });

  it('deletes when the accuracy did not change', () => {
    const result = decideDeletion({ arch, meanAbs, threshold: 1e-3, gate: gate(0.9) });
    assert.ok(result.deleted);
    assert.match(result.change.reason, /accuracy rose by 0 points, not more than the momentum gate's 1\.5 points/);
  });
});
