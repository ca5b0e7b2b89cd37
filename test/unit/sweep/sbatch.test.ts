/**
 * What sbatch and bash make of the sweep script: the directives sbatch reads (it stops at the
 * first command line), and what the script does when it runs, in a real bash with a stand-in
 * for node that records its arguments and working folder.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkSbatchOptions, sbatchScript, type SbatchOptions } from '../../../src/core/sweep/sbatch';

const base: SbatchOptions = {
  sweepId: 'tiny-001', sweepDir: '/data/tiny/.resbuilder/sweeps/tiny-001', taskCount: 6, partition: 'gpu', time: '02:00:00',
  cpus: 4, gpus: 1, graceSeconds: 120, nodePath: '/usr/bin/node', cliPath: '/opt/rb/bin/resbuilder.js',
};

/** The lines sbatch reads as options: those before the first line that is neither blank nor a comment. */
function directives(script: string): string[] {
  const lines = script.split('\n').slice(1);
  const end = lines.findIndex((l) => l.trim() !== '' && !l.startsWith('#'));
  return lines.slice(0, end < 0 ? lines.length : end).filter((l) => l.startsWith('#SBATCH'));
}

describe('sbatch script: what sbatch reads', () => {
  it('is a bash script sbatch accepts, ending in a newline', () => {
    const script = sbatchScript(base);
    assert.ok(script.startsWith('#!/bin/bash\n'), script.split('\n')[0]);
    assert.ok(script.endsWith('\n'));
  });

  it('reads every option before the first command', () => {
    assert.deepEqual(directives(sbatchScript(base)), [
      '#SBATCH --job-name=rb-tiny-001', '#SBATCH --array=0-5', '#SBATCH --cpus-per-task=4', '#SBATCH --gpus=1', '#SBATCH --partition=gpu',
      '#SBATCH --time=02:00:00', '#SBATCH --signal=B:TERM@120', '#SBATCH --requeue', '#SBATCH --output=logs/%A_%a.out', '#SBATCH --open-mode=append',
    ]);
  });

  it('leaves out the GPUs, partition and time limit it was not given, so the cluster\'s defaults apply', () => {
    assert.deepEqual(directives(sbatchScript({ ...base, gpus: 0, partition: null, time: null })), [
      '#SBATCH --job-name=rb-tiny-001', '#SBATCH --array=0-5', '#SBATCH --cpus-per-task=4', '#SBATCH --signal=B:TERM@120', '#SBATCH --requeue',
      '#SBATCH --output=logs/%A_%a.out', '#SBATCH --open-mode=append',
    ]);
  });

  it('limits how many tasks run at once when asked', () => {
    assert.ok(directives(sbatchScript({ ...base, maxParallel: 2 })).includes('#SBATCH --array=0-5%2'));
    assert.ok(directives(sbatchScript({ ...base, maxParallel: null })).includes('#SBATCH --array=0-5'));
  });

  it('tells its reader what it runs and how to submit it again', () => {
    const lines = sbatchScript(base).split('\n');
    assert.equal(lines[1], '# ResBuilder sweep tiny-001: 6 tasks, one per seed and setting (see sweep.json).');
    assert.equal(sbatchScript({ ...base, taskCount: 1 }).split('\n')[1], '# ResBuilder sweep tiny-001: 1 task, one per seed and setting (see sweep.json).');
    assert.ok(lines.some((l) => l.startsWith('#') && l.includes('`sbatch sweep.sbatch`')));
  });

  it('accepts the values it is given when they fit, and names the one that does not', () => {
    assert.doesNotThrow(() => checkSbatchOptions({ ...base, partition: null, time: null, gpus: 0 }));
    assert.throws(() => checkSbatchOptions({ ...base, gpus: -1 }), /gpus: expected an integer >= 0, got -1/);
    assert.throws(() => checkSbatchOptions({ ...base, graceSeconds: 0 }), /graceSeconds: expected an integer >= 1, got 0/);
    assert.throws(() => checkSbatchOptions({ ...base, taskCount: 1.5 }), /task count: expected an integer >= 1, got 1\.5/);
    assert.throws(() => checkSbatchOptions({ ...base, time: 'soon' }), /time "soon": expected a time limit like HH:MM:SS/);
  });
});

describe('sbatch script: what bash does with it', () => {
  let dir: string;
  let printArgs: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rb-sbatch-'));
    // Stands in for node: prints its working folder and its arguments.
    printArgs = path.join(dir, 'print-args');
    fs.writeFileSync(printArgs, '#!/bin/sh\nprintf \'%s\\0\' "$PWD" "$@"\n', { mode: 0o755 });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (sweepDir: string, env: Record<string, string | undefined>) => {
    const script = sbatchScript({ ...base, sweepDir, nodePath: printArgs, cliPath: '/opt/rb/bin/resbuilder.js' });
    const environment = { ...process.env, ...env };
    if (env.SLURM_ARRAY_TASK_ID === undefined) delete environment.SLURM_ARRAY_TASK_ID;
    return spawnSync('bash', ['-c', script], { cwd: dir, env: environment, encoding: 'utf8' });
  };

  it('runs the task from the sweep folder, quietly, with nothing on stderr', () => {
    const sweepDir = path.join(dir, 'sweep');
    fs.mkdirSync(sweepDir);
    const out = run(sweepDir, { SLURM_ARRAY_TASK_ID: '3' });
    assert.equal(out.stderr, '');
    assert.equal(out.status, 0);
    assert.deepEqual(out.stdout.split('\0').slice(0, -1), [sweepDir, '/opt/rb/bin/resbuilder.js', 'run-task', sweepDir, '3', '--quiet']);
  });

  it('stops before running anything when the sweep folder is gone', () => {
    const out = run(path.join(dir, 'missing'), { SLURM_ARRAY_TASK_ID: '3' });
    assert.notEqual(out.status, 0);
    assert.equal(out.stdout, '');
  });

  it('stops before running anything outside a Slurm array task', () => {
    const sweepDir = path.join(dir, 'sweep');
    fs.mkdirSync(sweepDir);
    const out = run(sweepDir, { SLURM_ARRAY_TASK_ID: undefined });
    assert.notEqual(out.status, 0);
    assert.equal(out.stdout, '');
  });
});
