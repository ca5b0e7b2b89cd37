import { strict as assert } from 'node:assert';
import { ProtocolError, TrainerEventSchema } from '../../src/protocol/events';
import { parseHostMessage, parsePanelMessage } from '../../src/protocol/panel';
import { RunModel } from '../../webview/run-model';
import { generateRun, generateRunOfSize, snapshotsOf } from '../../bench/lib/synthetic-run';

describe('panel protocol (src/protocol/panel)', () => {
  const events = generateRun({ runId: 'p', cycles: 2 });

  it('accepts every host and panel message of the contract', () => {
    const arch = snapshotsOf(events)[0].architecture;
    assert.equal(parseHostMessage({ type: 'reset', runId: 'p', title: 't' }, 'test').type, 'reset');
    const batch = parseHostMessage({ type: 'events', events }, 'test');
    assert.ok(batch.type === 'events' && batch.events.length === events.length);
    assert.equal(parseHostMessage({ type: 'compare', left: { label: 'a', architecture: arch }, right: { label: 'b', architecture: arch } }, 'test').type, 'compare');
    for (const type of ['ready', 'stop', 'resume', 'openArchitecture', 'compareWithCommitted', 'export'] as const) assert.equal(parsePanelMessage({ type }, 'test').type, type);
  });

  it('rejects malformed messages with an error naming the field and the origin', () => {
    assert.throws(() => parseHostMessage({ type: 'reset', runId: 3, title: 't' }, 'the host'), (e: Error) => e instanceof ProtocolError && /the host/.test(e.message) && /runId/.test(e.message));
    assert.throws(() => parseHostMessage({ type: 'nope' }, 'x'), ProtocolError);
    assert.throws(() => parsePanelMessage({ type: 'stop', extra: 1 }, 'panel'), /extra|Unrecognized/);
    assert.throws(() => parsePanelMessage(null, 'panel'), ProtocolError);
  });

  it('rejects a batch with one bad event, or drops just that event when asked to', () => {
    const bad: unknown[] = events.slice(0, 10).map((e) => ({ ...e }));
    delete (bad[4] as Record<string, unknown>).time;
    assert.throws(() => parseHostMessage({ type: 'events', events: bad }, 'x'), /events\.4\.time/);
    const dropped: number[] = [];
    const message = parseHostMessage({ type: 'events', events: bad }, 'x', { onInvalidEvent: (error, index) => (dropped.push(index), assert.match(error.message, /events\[4\].*time/)) });
    assert.ok(message.type === 'events');
    assert.equal(message.events.length, 9);
    assert.deepEqual(dropped, [4]);
    assert.throws(() => parseHostMessage({ type: 'events', events: 'no' }, 'x', { onInvalidEvent: () => undefined }), ProtocolError);
  });
});

describe('fixture run and run model', () => {
  it('generates schema-valid, gap-free streams with every kind of change', () => {
    const events = generateRun({ runId: 'f', cycles: 3, seed: 11 });
    events.forEach((e, i) => {
      assert.equal(e.seq, i);
      TrainerEventSchema.parse(e);
    });
    const kinds = new Set(events.flatMap((e) => (e.type === 'structural-change' ? [e.change.kind] : [])));
    for (const kind of ['insert', 'delete', 'resize', 'delete-skipped']) assert.ok(kinds.has(kind as never), kind);
    // Each real change is followed by its snapshot.
    events.forEach((e, i) => {
      if (e.type === 'structural-change' && ['insert', 'delete', 'resize'].includes(e.change.kind)) {
        const next = events[i + 1];
        assert.ok(next.type === 'architecture' && next.cause === 'change' && next.changeIndex === e.index);
      }
    });
    assert.equal(events[events.length - 1].type, 'finished');
    assert.equal(generateRunOfSize(3000, { runId: 'g' }).length, 3000);
  });

  it('builds curves, snapshots and changes in one pass and skips replayed events', () => {
    const events = generateRun({ runId: 'm', cycles: 2 });
    const model = new RunModel('m');
    const first = model.ingest(events.slice(0, 100));
    assert.equal(first.accepted, 100);
    const second = model.ingest(events.slice(50));
    assert.equal(second.skipped, 50);
    assert.equal(model.lastSeq, events.length - 1);
    assert.equal(model.epochs.x.length, events.filter((e) => e.type === 'epoch-end').length);
    assert.equal(model.snapshots.length, snapshotsOf(events).length);
    assert.equal(model.state, 'finished');
    for (const change of model.changes) {
      if (change.snapshotIndex === undefined) continue;
      assert.equal(model.snapshots[change.snapshotIndex].changeIndex, change.index);
    }
    const other = model.ingest([{ ...events[0], runId: 'other', seq: 10_000 }]);
    assert.equal(other.skipped, 1);
    assert.match(other.warnings[0], /other/);
  });
});
