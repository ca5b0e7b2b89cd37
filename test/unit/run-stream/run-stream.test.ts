import * as assert from 'node:assert/strict';
import { formatCount, formatDuration, formatFlops, formatParams, formatPercent } from '../../../src/core/format';
import { parseEventLog } from '../../../src/protocol/run-stream/event-log';
import { eventKey, mergeEvents, StreamCursor } from '../../../src/protocol/run-stream/merge';
import { architecture, runStarted, stream } from '../extension/events.fixture';

describe('run stream: events.jsonl', () => {
  it('leaves out a last line without its newline, even one that parses, until it is complete', () => {
    const e = stream();
    const first = JSON.stringify(e(runStarted()));
    const second = JSON.stringify(e(architecture(2, 10)));
    const torn = parseEventLog(`${first}\n${second}`, 'events.jsonl');
    assert.deepEqual(torn.events.map((x) => x.seq), [0]);
    assert.deepEqual(torn.errors, []);
    assert.equal(torn.completeLength, first.length + 1);
    const complete = parseEventLog(`${first}\n${second}\n`, 'events.jsonl');
    assert.deepEqual(complete.events.map((x) => x.seq), [0, 1]);
  });

  it('reports every bad complete line with its line number', () => {
    const e = stream();
    const lines = [JSON.stringify(e(runStarted())), '{"v":1,"type":"nope"}', 'not json', '', JSON.stringify(e(architecture(2, 10)))];
    const parsed = parseEventLog(`${lines.join('\n')}\n{"v":1,"runId":"r1","se`, 'events.jsonl');
    assert.deepEqual(parsed.events.map((x) => x.seq), [0, 1]);
    assert.deepEqual(parsed.errors.map((x) => x.line), [2, 3]);
    assert.match(parsed.errors[0].message, /^Invalid trainer event from events\.jsonl:2: /);
    assert.equal(parsed.errors[1].message, 'events.jsonl:3: not JSON');
  });
});

describe('run stream: one identity per event', () => {
  it('keys events by run and seq', () => {
    const a = stream('a');
    const b = stream('b');
    assert.equal(eventKey(a(runStarted())), 'a#0');
    assert.notEqual(eventKey(a(runStarted())), eventKey(b(runStarted())));
  });

  it('merges recorded and live events of a run once each, in seq order', () => {
    const e = stream();
    const all = [e(runStarted()), e(architecture(2, 10)), e({ type: 'checkpoint', path: '/c', label: 'x' }), e(architecture(3, 12))];
    // The live copy of an event is another object: only (runId, seq) says it is the same event.
    const live = [structuredClone(all[3]), structuredClone(all[1]), structuredClone(all[2])];
    const merged = mergeEvents(all.slice(0, 3), live);
    assert.deepEqual(merged.map((x) => x.seq), [0, 1, 2, 3]);
    assert.equal(merged[0], all[0]);
  });

  it('takes each seq of a run once, and counts the seqs it never saw', () => {
    const e = stream();
    const events = [e(runStarted()), e(architecture(2, 10)), e(architecture(3, 10)), e(architecture(4, 10))];
    const other = stream('other')(runStarted());
    const cursor = new StreamCursor();
    assert.deepEqual(cursor.take(events[0]), { verdict: 'new', gap: 0 });
    assert.deepEqual(cursor.take(events[0]), { verdict: 'duplicate', gap: 0 });
    assert.deepEqual(cursor.take(other), { verdict: 'other-run', gap: 0 });
    assert.deepEqual(cursor.take(events[3]), { verdict: 'new', gap: 2 });
    assert.deepEqual(cursor.take(events[1]), { verdict: 'duplicate', gap: 0 });
    assert.equal(cursor.runId, 'r1');
    assert.equal(cursor.lastSeq, 3);
  });
});

describe('run stream: formats', () => {
  it('writes counts, FLOPs and parameters with three significant digits and an SI prefix', () => {
    assert.equal(formatCount(980), '980');
    assert.equal(formatCount(45_600), '45.6 k');
    assert.equal(formatCount(1_234_567), '1.23 M');
    assert.equal(formatFlops(30_500_000), '30.5 MFLOPs');
    assert.equal(formatFlops(62_000_000), '62.0 MFLOPs');
    assert.equal(formatFlops(950), '950 FLOPs');
    assert.equal(formatFlops(1_250_000_000), '1.25 GFLOPs');
    assert.equal(formatParams(272_474), '272 k params');
  });

  it('writes percentages with two decimals and durations in s, min and h', () => {
    assert.equal(formatPercent(0.98846), '98.85 %');
    assert.equal(formatPercent(1), '100.00 %');
    assert.equal(formatDuration(42.4), '42 s');
    assert.equal(formatDuration(185), '3 min 05 s');
    assert.equal(formatDuration(3720), '1 h 02 min');
    assert.equal(formatDuration(Number.NaN), '–');
  });
});
