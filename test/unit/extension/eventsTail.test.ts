import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EventsTail, trainerAliveElsewhere } from '../../../src/extension/runs/eventsTail';
import { HEARTBEAT_FILE } from '../../../src/protocol/run-stream/heartbeat';
import { architecture, runStarted, stream } from './events.fixture';

describe('following a run another process writes', () => {
  let runDir: string;
  beforeEach(() => {
    runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-tail-'));
  });
  afterEach(() => fs.rmSync(runDir, { recursive: true, force: true }));
  const file = (): string => path.join(runDir, 'events.jsonl');

  it('reads only what was appended, and a line only once it is complete', async () => {
    const tail = new EventsTail(runDir);
    assert.deepEqual(await tail.read(), { events: [], errors: [] }, 'no file yet');
    const s = stream('r1');
    const first = JSON.stringify(s(runStarted()));
    // The label's "é" is two bytes; the write stops inside it.
    const second = JSON.stringify(s({ type: 'checkpoint', path: '/c', label: 'épreuve' }));
    const cut = Buffer.from(`${second}\n`).indexOf(0xa9);
    fs.writeFileSync(file(), `${first}\n`);
    fs.appendFileSync(file(), Buffer.from(`${second}\n`).subarray(0, cut));
    assert.deepEqual((await tail.read()).events.map((e) => e.seq), [0]);
    assert.deepEqual((await tail.read()).events, [], 'the half-written line waits');
    fs.appendFileSync(file(), Buffer.from(`${second}\n`).subarray(cut));
    fs.appendFileSync(file(), `${JSON.stringify(s(architecture(3, 1e6)))}\nnot json\n`);
    const next = await tail.read();
    assert.deepEqual(next.events.map((e) => [e.seq, e.type]), [[1, 'checkpoint'], [2, 'architecture']]);
    assert.equal(next.events[0].type === 'checkpoint' && next.events[0].label, 'épreuve');
    assert.equal(next.errors.length, 1);
    assert.match(next.errors[0], /events\.jsonl \(lines counted from byte \d+\):3: not JSON/);
    // A file written anew (shorter) is read from its start.
    fs.writeFileSync(file(), `${first}\n`);
    assert.deepEqual((await tail.read()).events.map((e) => e.seq), [0]);
  });

  it('calls a trainer alive while its heartbeat is fresh and, on this machine, its process exists', () => {
    const beat = (time: Date, pid: number, host = os.hostname()): void =>
      fs.writeFileSync(path.join(runDir, HEARTBEAT_FILE), JSON.stringify({ time: time.toISOString(), pid, host }));
    const now = Date.now();
    assert.equal(trainerAliveElsewhere(runDir, now), false, 'no heartbeat');
    beat(new Date(now - 5_000), process.pid);
    assert.equal(trainerAliveElsewhere(runDir, now), true);
    beat(new Date(now - 5 * 60_000), process.pid);
    assert.equal(trainerAliveElsewhere(runDir, now), false, 'a stale heartbeat');
    // A pid no process has: above the kernel's pid_max.
    beat(new Date(now - 5_000), 2 ** 22 + 1);
    assert.equal(trainerAliveElsewhere(runDir, now), false, 'a fresh heartbeat of a dead process here');
    beat(new Date(now - 5_000), 2 ** 22 + 1, 'compute-node-17');
    assert.equal(trainerAliveElsewhere(runDir, now), true, 'another machine: only the heartbeat can tell');
  });
});
