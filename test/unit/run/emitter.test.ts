import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TrainerEvent } from '../../../src/protocol/events';
import { EventEmitter, readEventsFile, RunFolderRemovedError } from '../../../src/trainer/run/emitter';

describe('trainer event emitter', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-emitter-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('records every event in events.jsonl and hands it to the listeners', () => {
    const file = path.join(dir, 'events.jsonl');
    const emitter = new EventEmitter('r1', file);
    const heard: TrainerEvent[] = [];
    emitter.onEvent((e) => heard.push(e));
    emitter.emit({ type: 'log', level: 'info', message: 'hello' });
    assert.deepEqual(readEventsFile(file), heard);
  });

  it('stops the run with a clear error when its folder is removed, and still delivers the final event', () => {
    const runDir = path.join(dir, 'run');
    fs.mkdirSync(runDir);
    const emitter = new EventEmitter('r1', path.join(runDir, 'events.jsonl'));
    const heard: TrainerEvent[] = [];
    emitter.onEvent((e) => heard.push(e));
    emitter.emit({ type: 'log', level: 'info', message: 'before' });
    fs.rmSync(runDir, { recursive: true });
    assert.throws(
      () => emitter.emit({ type: 'log', level: 'info', message: 'after' }),
      (error: unknown) => error instanceof RunFolderRemovedError && error.message.includes(runDir) && /was removed/.test(error.message) && !/ENOENT/.test(error.message),
    );
    const failed = emitter.emit({ type: 'failed', message: 'gone', resumable: false });
    assert.equal(heard.at(-1), failed);
    assert.equal(fs.existsSync(runDir), false, 'the emitter must not recreate the removed folder');
  });
});
