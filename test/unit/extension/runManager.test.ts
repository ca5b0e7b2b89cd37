import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TrainerEvent } from '../../../src/protocol/events';
import { RunManager, RunRefusedError, type ManagedRun, type RunManagerSettings } from '../../../src/extension/runs/runManager';

const fakeTrainer = path.join(__dirname, 'fixtures', 'fake-trainer.cjs');

interface Recorded {
  events: TrainerEvent[];
  output: string[];
  invalid: string[];
}

function manager(mode: string, settings: Partial<RunManagerSettings> = {}): { runs: RunManager; rec: Recorded } {
  const runs = new RunManager({
    trainerScript: fakeTrainer,
    settings: () => ({ nodePath: '', defaultBackend: 'auto', maxConcurrentRuns: 1, stopTimeoutMs: 10_000, ...settings }),
    host: { execPath: process.execPath, electronVersion: undefined, env: { ...process.env, FAKE_TRAINER_MODE: mode } },
  });
  const rec: Recorded = { events: [], output: [], invalid: [] };
  runs.listen({
    event: (_r, e) => rec.events.push(e),
    output: (_r, line) => rec.output.push(line),
    invalidMessage: (_r, error) => rec.invalid.push(error),
  });
  return { runs, rec };
}

// The trainer runs in the config's folder, so that folder must exist.
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-runs-'));
const runsDir = path.join(workspace, '.resbuilder', 'runs');
const start = (runs: RunManager, name = 'a'): ManagedRun =>
  runs.start({ configPath: path.join(workspace, `${name}.resbuilder.yaml`), runsDir });

describe('extension run manager (with a stand-in trainer)', () => {
  after(() => fs.rmSync(workspace, { recursive: true, force: true }));

  it('runs a trainer to the end, with its run folder, events and output', async () => {
    const { runs, rec } = manager('finish');
    const run = start(runs);
    await runs.whenEnded(run);
    assert.equal(run.phase, 'finished');
    assert.equal(run.runDir, path.join(runsDir, 'run-1'));
    assert.deepEqual(rec.events.map((e) => e.type), ['run-started', 'architecture', 'finished']);
    assert.equal(run.summary.archPath, '/x.arch.json');
    assert.ok(rec.output.includes(`fake trainer run ${path.join(workspace, 'a.resbuilder.yaml')}`));
    assert.ok(rec.output.includes('a line on stderr'));
    assert.equal(run.exit?.code, 0);
  });

  it('logs invalid messages and goes on', async () => {
    const { runs, rec } = manager('invalid');
    const run = start(runs);
    await runs.whenEnded(run);
    assert.equal(run.phase, 'finished');
    // The message of another run id arrives before run-started, so only the garbage is rejected.
    assert.equal(rec.invalid.length, 1);
    assert.ok(rec.output.some((l) => l.includes('not an event')));
    assert.equal(run.events.filter((e) => e.runId === 'other-run').length, 1);
  });

  it('reports a crash as crashed, resumable from its checkpoint', async () => {
    const { runs } = manager('crash');
    const run = start(runs);
    await runs.whenEnded(run);
    assert.equal(run.phase, 'crashed');
    assert.equal(run.exit?.code, 3);
    assert.equal(run.summary.state, 'interrupted');
    assert.equal(run.summary.resumable, true);
    assert.match(run.summary.message!, /code 3/);
  });

  it('stops a run over IPC and leaves it resumable', async () => {
    const { runs, rec } = manager('stop');
    const run = start(runs);
    await new Promise<void>((resolve) => {
      const s = runs.listen({ event: (_r, e) => e.type === 'checkpoint' && (s.dispose(), resolve()) });
    });
    runs.stop(run);
    assert.equal(run.phase, 'stopping');
    await runs.whenEnded(run);
    assert.equal(run.phase, 'stopped');
    assert.equal(run.summary.resumable, true);
    assert.equal(rec.events.at(-1)?.type, 'stopped');
  });

  it('kills a trainer that does not stop within the timeout', async () => {
    const { runs } = manager('hang', { stopTimeoutMs: 200 });
    const run = start(runs);
    await new Promise<void>((resolve) => {
      const s = runs.listen({ event: (_r, e) => e.type === 'architecture' && (s.dispose(), resolve()) });
    });
    runs.stop(run);
    await runs.whenEnded(run);
    assert.equal(run.phase, 'crashed');
    assert.equal(run.exit?.signal, 'SIGKILL');
    assert.match(run.summary.message!, /did not stop/);
  });

  it('queues runs beyond maxConcurrentRuns, refuses a second run of the same config, and cancels queued runs', async () => {
    const { runs } = manager('stop');
    const first = start(runs, 'a');
    assert.throws(() => start(runs, 'a'), RunRefusedError);
    const second = start(runs, 'b');
    const third = start(runs, 'c');
    assert.equal(first.phase, 'starting');
    assert.equal(second.phase, 'queued');
    runs.stop(third);
    assert.equal(third.phase, 'cancelled');
    runs.stop(first);
    await runs.whenEnded(first);
    // The freed slot goes to the queued run.
    assert.notEqual(second.phase, 'queued');
    runs.stop(second);
    await runs.whenEnded(second);
    assert.equal(second.phase, 'stopped');
    assert.equal(third.pid, undefined);
  });

  it('reports a Node that cannot be started as a crash', async () => {
    const { runs, rec } = manager('finish', { nodePath: '/nonexistent/node' });
    const run = start(runs);
    await runs.whenEnded(run);
    assert.equal(run.phase, 'crashed');
    assert.ok(rec.output.some((l) => l.includes('ENOENT')));
  });
});
