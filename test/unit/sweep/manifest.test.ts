/**
 * `sweep.json` and `resbuilder status --json` are read by other processes (run-task on a compute
 * node, the editor): what they accept, and the error that names the file and the bad field.
 */
import { strict as assert } from 'node:assert';
import { parseSweepManifest, TaskSlurmRecordSchema, type SweepManifest } from '../../../src/core/sweep/manifest';
import { SweepStatusJsonSchema } from '../../../src/core/sweep/status-json';

const manifest = (): SweepManifest => ({
  version: 1,
  sweepId: 'tiny-001',
  configPath: '/w/tiny.resbuilder.yaml',
  createdAt: '2026-12-04T10:00:00.000Z',
  tasks: [{ index: 0, seed: 1, settings: { 'search.targetFlops': 2e7, 'training.optimizer': 'sgd', 'x.flag': true, 'x.none': null }, runId: 'tiny-001-task000' }],
  slurm: { jobId: null, partition: 'gpu', time: null, cpus: 4, gpus: 0, graceSeconds: 120 },
});

describe('sweep manifest', () => {
  it('reads what submit writes', () => {
    assert.deepEqual(parseSweepManifest(JSON.stringify(manifest()), 'sweep.json'), manifest());
  });

  it('names the file when it is not JSON', () => {
    assert.throws(() => parseSweepManifest('{"version": 1', '/s/sweep.json'), /^Error: \/s\/sweep\.json: not valid JSON \(.+\); this is not a sweep folder resbuilder submit wrote\.$/);
  });

  it('names the field that is wrong, or the top level', () => {
    const bad = (change: (m: Record<string, unknown>) => void) => {
      const m = manifest() as unknown as Record<string, unknown>;
      change(m);
      return JSON.stringify(m);
    };
    assert.throws(() => parseSweepManifest('[1]', 'sweep.json'), /^Error: sweep\.json: not a sweep manifest \(top level: .+\)\.$/);
    assert.throws(() => parseSweepManifest(bad((m) => { m.sweepId = ''; }), 'sweep.json'), /not a sweep manifest \(sweepId: /);
    assert.throws(() => parseSweepManifest(bad((m) => { m.configPath = ''; }), 'sweep.json'), /\(configPath: /);
    assert.throws(() => parseSweepManifest(bad((m) => { m.tasks = []; }), 'sweep.json'), /\(tasks: /);
    assert.throws(() => parseSweepManifest(bad((m) => { (m.tasks as Record<string, unknown>[])[0].seed = -1; }), 'sweep.json'), /\(tasks\.0\.seed: /);
    assert.throws(() => parseSweepManifest(bad((m) => { (m.tasks as Record<string, unknown>[])[0].index = -1; }), 'sweep.json'), /\(tasks\.0\.index: /);
    assert.throws(() => parseSweepManifest(bad((m) => { (m.tasks as Record<string, unknown>[])[0].runId = ''; }), 'sweep.json'), /\(tasks\.0\.runId: /);
    assert.throws(() => parseSweepManifest(bad((m) => { (m.tasks as Record<string, unknown>[])[0].extra = 1; }), 'sweep.json'), /\(tasks\.0: /);
    assert.throws(() => parseSweepManifest(bad((m) => { (m.slurm as Record<string, unknown>).cpus = 1.5; }), 'sweep.json'), /\(slurm\.cpus: /);
  });

  it('reads a task\'s record of its Slurm starts', () => {
    const rec = { jobId: '12', arrayTaskId: 0, attempts: [{ jobId: '12', node: 'n1', restartCount: 0, startedAt: '2026-12-04T10:00:00.000Z', action: 'run' }] };
    assert.deepEqual(TaskSlurmRecordSchema.parse(rec), rec);
    for (const action of ['resume', 'done']) assert.ok(TaskSlurmRecordSchema.safeParse({ ...rec, attempts: [{ ...rec.attempts[0], action }] }).success, action);
    assert.ok(!TaskSlurmRecordSchema.safeParse({ ...rec, attempts: [{ ...rec.attempts[0], action: 'retry' }] }).success);
  });
});

describe('sweep status JSON', () => {
  const status = {
    sweepId: 'tiny-001', sweepDir: '/s', configPath: '/w/c.resbuilder.yaml', jobId: '12', note: null,
    tasks: [{ index: 0, seed: 1, settings: { a: 1, b: 'x', c: false, d: null }, state: 'requeued', detail: 'Priority', runDir: '/s/runs/t0', slurmId: '12_0', schedulerState: 'PENDING', progress: '' }],
  };

  it('accepts what status --json prints and refuses a state it does not know', () => {
    assert.deepEqual(SweepStatusJsonSchema.parse(status), status);
    assert.ok(!SweepStatusJsonSchema.safeParse({ ...status, tasks: [{ ...status.tasks[0], state: 'exploded' }] }).success);
  });
});
