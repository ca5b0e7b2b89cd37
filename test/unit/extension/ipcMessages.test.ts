import * as assert from 'node:assert/strict';
import { classifyTrainerMessage, previewMessage } from '../../../src/extension/runs/ipcMessages';
import { runStarted, stream } from './events.fixture';

describe('extension IPC message validation', () => {
  it('accepts a valid event', () => {
    const event = stream('r1')(runStarted());
    const result = classifyTrainerMessage(event, 'trainer 42', null);
    assert.equal(result.kind, 'event');
    if (result.kind === 'event') assert.equal(result.event.type, 'run-started');
  });

  it('reports invalid messages with their origin instead of throwing', () => {
    for (const message of [null, 'text', { type: 'run-started' }, { ...stream('r1')(runStarted()), extra: 1 }]) {
      const result = classifyTrainerMessage(message, 'trainer 42', null);
      assert.equal(result.kind, 'invalid');
      if (result.kind === 'invalid') assert.match(result.error, /trainer 42/);
    }
  });

  it('rejects an event of another run', () => {
    const result = classifyTrainerMessage(stream('r2')({ type: 'log', level: 'info', message: 'x' }), 'trainer 1', 'r1');
    assert.equal(result.kind, 'invalid');
    if (result.kind === 'invalid') assert.match(result.error, /"r2".*"r1"/);
  });

  it('shortens long previews', () => {
    const preview = previewMessage({ data: 'x'.repeat(1000) }, 50);
    assert.ok(preview.length < 80);
    assert.match(preview, /chars\)$/);
  });
});
