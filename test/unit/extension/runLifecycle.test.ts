import * as assert from 'node:assert/strict';
import { holdsSlot, nextPhase, type LifecycleInput, type LifecyclePhase } from '../../../src/extension/runs/runLifecycle';
import { runStarted, stream } from './events.fixture';

function run(inputs: LifecycleInput[], from: LifecyclePhase = 'queued'): LifecyclePhase {
  return inputs.reduce(nextPhase, from);
}

describe('extension run lifecycle', () => {
  const e = stream();
  const started: LifecycleInput = { kind: 'event', event: e(runStarted()) };
  const exit0: LifecycleInput = { kind: 'exit', code: 0, signal: null };

  it('goes queued → starting → running → finished and stays there after the exit', () => {
    assert.equal(run([{ kind: 'launched' }]), 'starting');
    assert.equal(run([{ kind: 'launched' }, started]), 'running');
    const finished: LifecycleInput = { kind: 'event', event: e({ type: 'finished', archPath: '/a', modelDir: '/m', test: { loss: 0, accuracy: 1 }, params: 1, flops: 1, seconds: 1 }) };
    assert.equal(run([{ kind: 'launched' }, started, finished, exit0]), 'finished');
  });

  it('calls an exit without a final event a crash, also during a stop', () => {
    assert.equal(run([{ kind: 'launched' }, started, exit0]), 'crashed');
    assert.equal(run([{ kind: 'launched' }, started, { kind: 'stop-requested' }, { kind: 'exit', code: null, signal: 'SIGKILL' }]), 'crashed');
  });

  it('stays stopping while events arrive and ends stopped on the trainer’s confirmation', () => {
    const stopped: LifecycleInput = { kind: 'event', event: e({ type: 'stopped', resumable: true, reason: 'user' }) };
    const progress: LifecycleInput = { kind: 'event', event: e({ type: 'checkpoint', path: '/c', label: 'stop' }) };
    assert.equal(run([{ kind: 'launched' }, started, { kind: 'stop-requested' }, progress]), 'stopping');
    assert.equal(run([{ kind: 'launched' }, started, { kind: 'stop-requested' }, progress, stopped, exit0]), 'stopped');
  });

  it('cancels a queued run without launching it, and a launch error is a crash', () => {
    assert.equal(run([{ kind: 'stop-requested' }, { kind: 'launched' }]), 'cancelled');
    assert.equal(run([{ kind: 'launched' }, { kind: 'launch-error', message: 'ENOENT' }]), 'crashed');
  });

  it('counts only launched, unfinished runs against the concurrency limit', () => {
    assert.deepEqual(
      (['queued', 'starting', 'running', 'stopping', 'finished', 'crashed'] as LifecyclePhase[]).map(holdsSlot),
      [false, true, true, true, false, false],
    );
  });
});
