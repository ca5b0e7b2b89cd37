import * as assert from 'node:assert/strict';
import { initialSummary } from '../../../src/protocol/run-stream/run-summary';
import { progressText, statusText } from '../../../src/extension/ui/runText';

describe('extension run texts', () => {
  it('describes phase, epoch, accuracy and depth', () => {
    const s = { ...initialSummary(), runId: 'r', phase: { kind: 'train' as const, label: 'Cycle 1 · train' }, epoch: { epoch: 2, epochs: 3 }, accuracy: 0.951, depth: 7 };
    assert.equal(statusText('running', s), 'Cycle 1 · train · epoch 2/3 · acc 95.10 % · depth 7');
    assert.equal(progressText('starting', initialSummary()), 'Starting…');
    assert.equal(progressText('running', { ...initialSummary(), runId: 'r' }), 'Loading data…');
    assert.equal(progressText('stopping', s), 'Stopping (writing a checkpoint)…');
  });
});
