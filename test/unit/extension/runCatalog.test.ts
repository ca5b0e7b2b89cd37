import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { latestRunOf, listRunRecords, readRunRecord, type RunRecord } from '../../../src/extension/runs/runCatalog';
import { architecture, runStarted, stream } from './events.fixture';
import type { TrainerEvent } from '../../../src/protocol/events';

describe('extension run catalog', () => {
  let root: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-catalog-'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  function writeRun(runsDir: string, runId: string, events: TrainerEvent[]): string {
    const dir = path.join(runsDir, runId);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'events.jsonl'), events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    return dir;
  }

  it('lists runs newest first with their state and result, skipping folders without events', async () => {
    const runsDir = path.join(root, 'a', '.resbuilder', 'runs');
    const older = stream('older');
    writeRun(runsDir, 'older', [
      { ...older(runStarted()), time: '2024-01-01T00:00:00.000Z' } as TrainerEvent,
      older(architecture(4, 2e6)),
      older({ type: 'finished', archPath: '/a.arch.json', modelDir: '/m', test: { loss: 0.1, accuracy: 0.95 }, params: 1, flops: 2e6, seconds: 9 }),
    ]);
    const newer = stream('newer');
    writeRun(runsDir, 'newer', [
      { ...newer(runStarted()), time: '2024-02-01T00:00:00.000Z' } as TrainerEvent,
      newer({ type: 'checkpoint', path: '/c', label: 'x' }),
    ]);
    fs.mkdirSync(path.join(runsDir, 'empty'), { recursive: true });

    const records = await listRunRecords([runsDir, path.join(root, 'missing'), runsDir]);
    assert.deepEqual(records.map((r) => r.runId), ['newer', 'older']);
    assert.equal(records[0].summary.state, 'interrupted');
    assert.equal(records[0].summary.resumable, true);
    assert.equal(records[1].summary.state, 'finished');
    assert.equal(records[1].summary.testAccuracy, 0.95);
    assert.equal(records[1].summary.depth, 4);
    assert.equal(latestRunOf(records, '/w/mnist.resbuilder.yaml')?.runId, 'newer');
    assert.equal(latestRunOf(records, '/w/other.resbuilder.yaml'), undefined);
  });

  it('re-reads a run only when its events.jsonl changed', async () => {
    const runsDir = path.join(root, 'b');
    const e = stream('r');
    const dir = writeRun(runsDir, 'r', [e(runStarted())]);
    const cache = new Map<string, RunRecord>();
    const first = await readRunRecord(dir, cache);
    assert.equal(await readRunRecord(dir, cache), first);
    fs.appendFileSync(path.join(dir, 'events.jsonl'), `${JSON.stringify(e({ type: 'stopped', resumable: false, reason: 'user' }))}\n`);
    const second = await readRunRecord(dir, cache);
    assert.notEqual(second, first);
    assert.equal(second?.summary.state, 'stopped');
  });
});
