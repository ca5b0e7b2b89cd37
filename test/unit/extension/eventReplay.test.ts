import * as assert from 'node:assert/strict';
import { lastArchitecture, mergeEvents } from '../../../src/extension/panel/eventReplay';
import { architecture, runStarted, stream } from './events.fixture';

describe('extension panel replay', () => {
  it('sends recorded events first, then live ones not yet on disk, each once', () => {
    const e = stream();
    const [a, b, c, d] = [e(runStarted()), e(architecture(2, 10)), e(architecture(3, 20)), e({ type: 'log', level: 'info', message: 'x' })];
    const merged = mergeEvents([a, b, c], [b, c, d]);
    assert.deepEqual(merged.map((x) => x.seq), [0, 1, 2, 3]);
    assert.equal(lastArchitecture(merged)?.depth, 3);
    assert.equal(lastArchitecture([a, d]), undefined);
  });

  it('keeps events of a resumed stream that reuse sequence numbers', () => {
    const first = stream();
    const again = stream();
    const before = [first(runStarted())];
    const resumed = { ...again(runStarted('search', true)), time: '2030-01-01T00:00:00.000Z' };
    assert.equal(mergeEvents(before, [resumed]).length, 2);
  });
});
