/**
 * The panel's model of a run (webview/run-model.ts) and the header's wording of its state
 * (webview/run-status.ts), fed hand-made event streams: what each event adds to the history, and
 * that the state is the shared fold's.
 */
import { strict as assert } from 'node:assert';
import type { EventBody } from '../../src/protocol/events';
import { isStructural, RunModel } from '../../webview/run-model';
import { statusLine, stoppedText } from '../../webview/run-status';
import { architecture, runStarted, stream } from '../unit/extension/events.fixture';

const epochEnd = (epoch: number, accuracy: number, validation?: number): EventBody => ({
  type: 'epoch-end', phase: 'train', epoch, epochs: 2, train: { loss: 1 - accuracy, accuracy },
  ...(validation !== undefined ? { validation: { loss: 1 - validation, accuracy: validation } } : {}),
  imagesPerSecond: 250, learningRate: 0.05, seconds: 3,
});
const progress = (epoch: number, batch: number): EventBody => ({
  type: 'epoch-progress', phase: 'train', epoch, epochs: 2, batch, batches: 10, loss: 0.7, accuracy: 0.6, imagesPerSecond: 180, etaSeconds: 12,
});
const insert = (index: number): EventBody => ({
  type: 'structural-change', index, cycle: 1, step: 2, change: { kind: 'insert-skipped', attempts: 3, reason: 'no room' },
});
const finished: EventBody = {
  type: 'finished', archPath: '/w/mnist.arch.json', modelDir: '/r/model', test: { loss: 0.1, accuracy: 0.9712 }, params: 120, flops: 3e6, seconds: 125,
};

function modelOf(bodies: EventBody[]): RunModel {
  const e = stream('r1');
  const model = new RunModel('r1');
  model.ingest(bodies.map(e));
  return model;
}

describe('the panel\'s run model', () => {
  it('draws one curve point per finished epoch, numbered from 1, with gaps where there was no validation', () => {
    const model = modelOf([runStarted(), epochEnd(1, 0.5, 0.45), epochEnd(2, 0.7), epochEnd(1, 0.8, 0.75)]);
    assert.deepEqual(model.epochs, {
      x: [1, 2, 3],
      trainLoss: [0.5, 1 - 0.7, 1 - 0.8],
      trainAccuracy: [0.5, 0.7, 0.8],
      validationLoss: [1 - 0.45, null, 1 - 0.75],
      validationAccuracy: [0.45, null, 0.75],
    });
    assert.equal(model.epochsDone, 3);
    assert.deepEqual(model.lastEpoch, { trainAccuracy: 0.8, learningRate: 0.05, validationAccuracy: 0.75 });
  });

  it('keeps no validation accuracy in the last epoch when that epoch had none', () => {
    const model = modelOf([runStarted(), epochEnd(1, 0.5, 0.45), epochEnd(2, 0.7)]);
    assert.deepEqual(model.lastEpoch, { trainAccuracy: 0.7, learningRate: 0.05 });
  });

  it('shows the batch under way, the finished epoch as complete, and forgets both when a new phase starts', () => {
    const e = stream('r1');
    const model = new RunModel('r1');
    model.ingest([e(runStarted()), e(progress(1, 4))]);
    assert.deepEqual(model.progress, { epoch: 1, epochs: 2, batch: 4, batches: 10, loss: 0.7, accuracy: 0.6, imagesPerSecond: 180, etaSeconds: 12 });
    model.ingest([e(epochEnd(1, 0.65))]);
    assert.deepEqual(model.progress, { epoch: 1, epochs: 2, batch: 1, batches: 1, loss: 1 - 0.65, accuracy: 0.65, imagesPerSecond: 250, etaSeconds: 0 });
    model.ingest([e({ type: 'phase-started', phase: 'train', cycle: 2, step: 1, epochs: 2, label: 'Cycle 2 · train' })]);
    assert.equal(model.progress, undefined);
    assert.equal(model.summary.phase?.label, 'Cycle 2 · train');
  });

  it('records each change with the epochs done before it and links it to the snapshot that follows', () => {
    const e = stream('r1');
    const model = new RunModel('r1');
    model.ingest([e(runStarted()), e(architecture(3, 1e6)), e(epochEnd(1, 0.5))]);
    const result = model.ingest([e(insert(0)), e({ ...(architecture(5, 2e6) as EventBody & { type: 'architecture' }), cause: 'change', changeIndex: 0 }), e(insert(1))]);
    assert.deepEqual(result.newChanges.map((c) => c.index), [0, 1]);
    assert.equal(model.changes.length, 2);
    const [first, second] = model.changes;
    assert.equal(first.epochsDone, 1);
    assert.equal(first.cycle, 1);
    assert.equal(first.step, 2);
    assert.equal(first.snapshotIndex, 1);
    assert.equal(second.snapshotIndex, undefined);
    assert.equal(model.changeAt(1), second);
    assert.equal(model.changeAt(7), undefined);
    assert.deepEqual(model.snapshots.map((s) => [s.cause, s.depth, s.flops, s.epochsDone, s.changeIndex]), [['start', 3, 1e6, 0, undefined], ['change', 5, 2e6, 1, 0]]);
  });

  it('tells real changes from skipped decisions', () => {
    assert.equal(isStructural({ kind: 'insert-skipped', attempts: 3, reason: 'x' }), false);
    for (const kind of ['insert', 'delete', 'resize'] as const) assert.equal(isStructural({ kind } as never), true, kind);
  });

  it('takes each event once, warns of missing ones and of another run\'s, at most three warnings a batch', () => {
    const e = stream('r1');
    const events = [runStarted(), epochEnd(1, 0.5), epochEnd(2, 0.6), epochEnd(1, 0.7), epochEnd(2, 0.8)].map(e);
    const model = new RunModel('r1');
    const first = model.ingest([events[0], events[3]]);
    assert.deepEqual([first.accepted, first.skipped], [2, 0]);
    assert.deepEqual(first.warnings, ['events 1–2 of run "r1" are missing']);
    const again = model.ingest([events[0], events[3], events[4]]);
    assert.deepEqual([again.accepted, again.skipped], [1, 2]);
    assert.deepEqual(again.warnings, []);
    const foreign = model.ingest([5, 6, 7, 8].map((seq) => ({ ...events[1], runId: 'other', seq: 100 + seq })));
    assert.deepEqual([foreign.accepted, foreign.skipped], [0, 4]);
    assert.equal(foreign.warnings.length, 3);
    assert.match(foreign.warnings[0], /seq 105 belongs to run "other", not "r1"/);
    assert.equal(model.lastSeq, 4);
  });

  it('learns its run id from the stream when opened without one', () => {
    const model = new RunModel();
    model.ingest([stream('late')(runStarted())]);
    assert.equal(model.runId, 'late');
  });

  it('keeps the latest warning or error the trainer logged, not its info lines, and redraws the header for it', () => {
    const e = stream('r1');
    const model = new RunModel('r1');
    model.ingest([e(runStarted()), e({ type: 'log', level: 'warn', message: 'slow disk' })]);
    model.clearDirty();
    model.ingest([e({ type: 'log', level: 'info', message: 'epoch done' })]);
    assert.deepEqual(model.lastLog, { level: 'warn', message: 'slow disk' });
    assert.equal(model.dirty.header, false);
    model.ingest([e({ type: 'log', level: 'error', message: 'nan loss' })]);
    assert.deepEqual(model.lastLog, { level: 'error', message: 'nan loss' });
    assert.equal(model.dirty.header, true);
  });

  it('keeps the full backend report and the dataset, which the summary leaves out', () => {
    const model = modelOf([runStarted()]);
    assert.deepEqual(model.backend?.skipped, [{ name: 'tensorflow', reason: 'not installed' }]);
    assert.equal(model.dataset?.trainSize, 400);
    assert.equal(model.summary.backend, 'wasm');
  });

  it('marks what changed for the renderer, and forgets it once drawn', () => {
    const e = stream('r1');
    const model = new RunModel('r1');
    // A new panel draws everything once, events or not.
    assert.deepEqual({ ...model.dirty }, { header: true, snapshots: true, changes: true, curves: true });
    model.clearDirty();
    model.ingest([e(runStarted())]);
    assert.deepEqual({ ...model.dirty }, { header: true, snapshots: false, changes: false, curves: false });
    model.clearDirty();
    model.ingest([e({ type: 'phase-started', phase: 'train', cycle: 1, step: 1, epochs: 2, label: 'Cycle 1 · train' })]);
    assert.deepEqual({ ...model.dirty }, { header: true, snapshots: false, changes: false, curves: false });
    model.clearDirty();
    assert.deepEqual({ ...model.dirty }, { header: false, snapshots: false, changes: false, curves: false });
    model.ingest([e(progress(1, 2))]);
    assert.deepEqual({ ...model.dirty }, { header: true, snapshots: false, changes: false, curves: false });
    model.clearDirty();
    model.ingest([e(insert(0))]);
    assert.deepEqual({ ...model.dirty }, { header: false, snapshots: false, changes: true, curves: true });
    model.clearDirty();
    model.ingest([e(epochEnd(1, 0.5))]);
    assert.deepEqual({ ...model.dirty }, { header: true, snapshots: false, changes: false, curves: true });
    model.clearDirty();
    model.ingest([e(architecture(3, 1e6))]);
    assert.deepEqual({ ...model.dirty }, { header: true, snapshots: true, changes: true, curves: true });
    model.clearDirty();
    model.ingest([e({ type: 'checkpoint', path: '/r/c', label: 'cycle 1' }), e({ type: 'log', level: 'info', message: 'x' })]);
    assert.deepEqual({ ...model.dirty }, { header: false, snapshots: false, changes: false, curves: false });
    model.ingest([e(finished)]);
    assert.equal(model.dirty.header, true);
  });

  for (const final of [
    { type: 'stopped', reason: 'user', resumable: true },
    { type: 'failed', message: 'bad data', resumable: false },
  ] as const) {
    it(`redraws the header when the run is ${final.type}`, () => {
      const e = stream('r1');
      const model = new RunModel('r1');
      model.ingest([e(runStarted())]);
      model.clearDirty();
      model.ingest([e(final)]);
      assert.deepEqual({ ...model.dirty }, { header: true, snapshots: false, changes: false, curves: false });
      assert.equal(model.lastLog, undefined);
    });
  }

  it('keeps a snapshot whose change it never saw (a gap in the stream) without linking it', () => {
    const e = stream('r1');
    const model = new RunModel('r1');
    model.ingest([e(runStarted()), e({ ...(architecture(4, 1e6) as EventBody & { type: 'architecture' }), cause: 'change', changeIndex: 9 })]);
    assert.equal(model.snapshots.length, 1);
    assert.equal(model.snapshots[0].changeIndex, 9);
    assert.equal(model.changeAt(9), undefined);
  });

  it('gives a start snapshot no change index at all', () => {
    const model = modelOf([runStarted(), architecture(3, 1e6)]);
    assert.equal('changeIndex' in model.snapshots[0], false);
  });

  it('warns of at most three gaps a batch', () => {
    const e = stream('r1');
    const events = Array.from({ length: 12 }, (_, i) => e(i === 0 ? runStarted() : epochEnd(1, 0.5)));
    const model = new RunModel('r1');
    const result = model.ingest(events.filter((_, i) => i % 2 === 0));
    assert.equal(result.accepted, 6);
    assert.deepEqual(result.warnings, ['events 1–1 of run "r1" are missing', 'events 3–3 of run "r1" are missing', 'events 5–5 of run "r1" are missing']);
  });

  it('is interrupted when the host finds its trainer gone, resumable as the host says, and runs again on resume', () => {
    const e = stream('r1');
    const model = new RunModel('r1');
    model.ingest([e(runStarted()), e(epochEnd(1, 0.5))]);
    model.clearDirty();
    model.end('The trainer was killed.', true);
    assert.equal(model.state, 'interrupted');
    assert.equal(model.dirty.header, true);
    assert.deepEqual(pick(statusLine(model.summary)), { label: 'interrupted', tone: 'failed', message: 'The trainer was killed.', error: true, canStop: false, canResume: true });
    model.ingest([e(runStarted('search', true))]);
    assert.equal(model.state, 'running');
    assert.equal(statusLine(model.summary).canStop, true);
  });

  it('leaves a run that ended with a result as it ended when the host later finds no trainer', () => {
    const model = modelOf([runStarted(), finished]);
    model.clearDirty();
    model.end('gone', true);
    assert.equal(model.state, 'finished');
    assert.equal(model.dirty.header, false);
  });
});

function pick(line: ReturnType<typeof statusLine>) {
  const { label, tone, message, error, canStop, canResume } = line;
  return { label, tone, message, error, canStop, canResume };
}

describe('the run header\'s status line', () => {
  it('waits for the first event, and shows no log line or error before the run has started', () => {
    const waiting = new RunModel().summary;
    assert.deepEqual(statusLine(waiting), { label: 'waiting for events', tone: 'waiting', message: '', error: false, canStop: false, canResume: false, canExport: false });
    assert.deepEqual(pick(statusLine(waiting, { level: 'error', message: 'early' })), { label: 'waiting for events', tone: 'waiting', message: '', error: false, canStop: false, canResume: false });
  });

  it('offers no Resume while the run goes on, even with a checkpoint written', () => {
    const running = modelOf([runStarted(), { type: 'checkpoint', path: '/r/c', label: 'cycle 1' }]).summary;
    assert.equal(running.resumable, true);
    assert.equal(statusLine(running).canResume, false);
    assert.equal(statusLine(running).canStop, true);
  });

  it('shows a running run\'s latest warning, as an error when it is one, and offers Stop', () => {
    const running = modelOf([runStarted()]).summary;
    assert.deepEqual(statusLine(running), { label: 'running', tone: 'running', message: '', error: false, canStop: true, canResume: false, canExport: false });
    assert.equal(statusLine(running, { level: 'warn', message: 'slow' }).message, 'warn: slow');
    assert.equal(statusLine(running, { level: 'warn', message: 'slow' }).error, false);
    assert.equal(statusLine(running, { level: 'error', message: 'nan loss' }).error, true);
  });

  it('says where a finished run\'s result went and how long it took, and offers Export only then', () => {
    const line = statusLine(modelOf([runStarted(), finished]).summary, { level: 'warn', message: 'old warning' });
    assert.deepEqual(line, { label: 'finished', tone: 'finished', message: 'Finished in 2 min 05 s; architecture written to /w/mnist.arch.json', error: false, canStop: false, canResume: false, canExport: true });
  });

  it('gives a failed run\'s message with its fix, and Resume only when a checkpoint waits', () => {
    const failed = modelOf([runStarted(), { type: 'failed', message: 'out of memory', hint: 'lower batchSize', resumable: true }]).summary;
    assert.deepEqual(statusLine(failed), { label: 'failed', tone: 'failed', message: 'out of memory — lower batchSize', error: true, canStop: false, canResume: true, canExport: false });
    const noHint = modelOf([runStarted(), { type: 'failed', message: 'bad data', resumable: false }]).summary;
    assert.equal(statusLine(noHint).message, 'bad data');
    assert.equal(statusLine(noHint).canResume, false);
  });

  it('says why a run stopped and whether Resume can continue it', () => {
    const resumable = modelOf([runStarted(), { type: 'stopped', reason: 'stopped from the editor', resumable: true }]).summary;
    assert.deepEqual(pick(statusLine(resumable)), { label: 'stopped', tone: 'stopped', message: 'Stopped: stopped from the editor. Resume continues from the last checkpoint.', error: false, canStop: false, canResume: true });
    const lost = modelOf([runStarted(), { type: 'stopped', reason: 'user', resumable: false }]).summary;
    assert.equal(statusLine(lost).message, 'Stopped: user. There is no checkpoint to resume from; run it again.');
    assert.equal(statusLine(lost).canResume, false);
    assert.equal(stoppedText(null, true), 'Stopped. Resume continues from the last checkpoint.');
  });
});
