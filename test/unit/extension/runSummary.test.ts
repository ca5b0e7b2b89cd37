import * as assert from 'node:assert/strict';
import {
  describeResult,
  displayState,
  foldEvent,
  initialSummary,
  markEnded,
  summarizeEvents,
} from '../../../src/protocol/run-stream/run-summary';
import { architecture, runStarted, stream } from './events.fixture';

describe('extension run summary', () => {
  it('follows a search from start to finish', () => {
    const e = stream();
    const events = [
      e(runStarted()),
      e(architecture(3, 2_500_000)),
      e({ type: 'phase-started', phase: 'train', cycle: 1, step: 1, epochs: 2, label: 'Cycle 1 · train' }),
      e({ type: 'epoch-progress', phase: 'train', epoch: 1, epochs: 2, batch: 3, batches: 10, loss: 1, accuracy: 0.5, imagesPerSecond: 100, etaSeconds: 3 }),
      e({ type: 'epoch-end', phase: 'train', epoch: 1, epochs: 2, train: { loss: 1, accuracy: 0.6 }, validation: { loss: 1, accuracy: 0.55 }, imagesPerSecond: 100, learningRate: 0.001, seconds: 2 }),
      e({ type: 'structural-change', index: 0, cycle: 1, step: 1, change: { kind: 'insert-skipped', attempts: 3, reason: 'duplicate' } }),
      e(architecture(5, 3_000_000)),
      e({ type: 'checkpoint', path: '/r/ckpt', label: 'cycle 1' }),
    ];
    const running = summarizeEvents(events, false);
    assert.equal(running.state, 'running');
    assert.equal(running.runId, 'r1');
    assert.equal(running.mode, 'search');
    assert.equal(running.backend, 'wasm');
    assert.deepEqual(running.epoch, { epoch: 1, epochs: 2 });
    assert.equal(running.accuracy, 0.55);
    assert.equal(running.depth, 5);
    assert.equal(running.changes, 1);
    assert.equal(running.resumable, true);
    assert.equal(running.phase?.label, 'Cycle 1 · train');
    assert.equal(running.lastSeq, 7);

    const done = foldEvent(running, e({ type: 'finished', archPath: '/w/mnist.arch.json', modelDir: '/r/model', test: { loss: 0.2, accuracy: 0.971 }, params: 120, flops: 3_000_000, seconds: 42 }));
    assert.equal(done.state, 'finished');
    assert.equal(done.resumable, false);
    assert.equal(done.archPath, '/w/mnist.arch.json');
    assert.equal(done.testAccuracy, 0.971);
    assert.equal(describeResult(done), 'test 97.10 % · depth 5 · 3.00 MFLOPs');
    // The fold never mutates its input.
    assert.equal(running.state, 'running');
  });

  it('marks a stream without a final event as interrupted, resumable only with a checkpoint', () => {
    const e = stream();
    const noCheckpoint = summarizeEvents([e(runStarted())], true);
    assert.equal(noCheckpoint.state, 'interrupted');
    assert.equal(noCheckpoint.resumable, false);
    assert.equal(displayState(noCheckpoint), 'interrupted');

    const withCheckpoint = summarizeEvents([e(runStarted()), e({ type: 'checkpoint', path: '/c', label: 'x' })], true);
    assert.equal(withCheckpoint.state, 'interrupted');
    assert.equal(displayState(withCheckpoint), 'resumable');
    assert.match(markEnded(foldEvent(initialSummary(), e(runStarted())), 'exit code 3').message!, /exit code 3/);
  });

  it('keeps a finished run finished when it is marked ended', () => {
    const e = stream();
    const done = summarizeEvents(
      [e(runStarted()), e({ type: 'finished', archPath: '/a', modelDir: '/m', test: { loss: 0, accuracy: 1 }, params: 1, flops: 1, seconds: 1 })],
      true,
    );
    assert.equal(done.state, 'finished');
  });

  it('shows a stopped resumable run as resumable and a resumed run as running again', () => {
    const e = stream();
    const stopped = summarizeEvents([e(runStarted()), e({ type: 'checkpoint', path: '/c', label: 'x' }), e({ type: 'stopped', resumable: true, reason: 'user' })], true);
    assert.equal(stopped.state, 'stopped');
    assert.equal(displayState(stopped), 'resumable');
    const resumed = foldEvent(stopped, e(runStarted('search', true)));
    assert.equal(resumed.state, 'running');
    assert.equal(resumed.message, null);
    const failed = foldEvent(resumed, e({ type: 'failed', message: 'out of memory', hint: 'lower batchSize', resumable: false }));
    assert.equal(displayState(failed), 'failed');
    assert.equal(failed.hint, 'lower batchSize');
  });
});
