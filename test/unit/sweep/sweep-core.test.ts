/**
 * The pure parts of Slurm sweeps: the `sweep:` config section and its errors, the expansion into
 * tasks with stable indices and run names, the sbatch script and its quoting (checked by
 * running the quoted words through a real bash), the task config, and the state a task is in.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { formatDiagnostic, parseConfigText } from '../../../src/core/config';
import { describeSettings, expandSweep, parseSeedList, sweepIdStem, taskRunId } from '../../../src/core/sweep/expand';
import { sbatchScript, type SbatchOptions } from '../../../src/core/sweep/sbatch';
import { parseSchedulerLines, taskStatus, type TaskRecord } from '../../../src/core/sweep/scheduler';
import { shellQuote } from '../../../src/core/sweep/shell';
import { meanSd, summarizeBySetting } from '../../../src/core/sweep/summary';
import { taskConfigText } from '../../../src/core/sweep/task-config';

const NASTY = `$(touch pwned) \`touch pwned\`; touch pwned | & > pwned 'quoted' "double" \\ \n newline * ? ~ {a,b} !x #`;

function errorsOf(text: string): string[] {
  return parseConfigText(text, '/w/c.resbuilder.yaml').diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d, 'c.resbuilder.yaml'));
}

describe('sweep: config section', () => {
  it('accepts seeds, a grid of settings and Slurm resources, and a plain run ignores it', () => {
    const text = 'seed: 3\nsweep:\n  seeds: [1, 2]\n  grid:\n    search.targetFlops: [1.0e+7, 2.0e+7]\n    training.optimizer: [adam, sgd]\n  slurm: {partition: gpu, time: "01:00:00", cpus: 4, gpus: 1}\n';
    const { config, diagnostics } = parseConfigText(text, '/w/c.resbuilder.yaml');
    assert.deepEqual(diagnostics, []);
    assert.equal(config?.seed, 3);
  });

  it('names the place of each bad key or value with line and column', () => {
    const text = 'sweep:\n  seeds: [1, 1]\n  grid:\n    search.targetFlop: [1]\n    training.optimizer: [adam, rmsprop]\n    seed: [1, 2]\n    outputs.archFile: [a.arch.json]\n    search: [1]\n  slurm: {partition: "a b", time: "soon"}\n';
    const errors = errorsOf(text);
    const has = (pattern: RegExp) => assert.ok(errors.some((e) => pattern.test(e)), `${pattern} in\n${errors.join('\n')}`);
    has(/^c\.resbuilder\.yaml:2:14: error: sweep\.seeds\[1\]: the seed 1 is listed twice/);
    has(/^c\.resbuilder\.yaml:4:5: error: .*unknown setting "search\.targetFlop".*did you mean "search\.targetFlops"/);
    has(/^c\.resbuilder\.yaml:5:32: error: .*training\.optimizer: expected one of "adam", "sgd", got "rmsprop"/);
    has(/^c\.resbuilder\.yaml:6:5: error: .*the seed is varied with `sweep\.seeds`/);
    has(/^c\.resbuilder\.yaml:7:5: error: .*cannot vary within a sweep/);
    has(/^c\.resbuilder\.yaml:8:5: error: .*"search" is a section/);
    has(/:9:.*sweep\.slurm\.partition: expected a partition name/);
    has(/:9:.*sweep\.slurm\.time: expected a time limit/);
  });

  it('refuses a seed listed twice also when the sweep has no grid', () => {
    assert.deepEqual(errorsOf('sweep:\n  seeds: [1, 2, 1]\n'), ['c.resbuilder.yaml:2:17: error: sweep.seeds[2]: the seed 1 is listed twice']);
  });

  it('checks grid values against the setting they name (bounds included)', () => {
    assert.match(errorsOf('sweep:\n  grid:\n    dataset.validationSplit: [0.1, 1.5]\n').join('\n'), /:3:36: error: .*dataset\.validationSplit: expected a number >= 0 and < 1, got 1\.5/);
  });
});

describe('sweep expansion', () => {
  it('gives every combination with every seed, the last grid key and the seeds varying fastest', () => {
    const tasks = expandSweep({ seeds: [1, 2], grid: [['a', [10, 20]], ['b', ['x', 'y']]] });
    assert.equal(tasks.length, 8);
    assert.deepEqual(tasks.map((t) => t.index), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(tasks[0], { index: 0, seed: 1, settings: { a: 10, b: 'x' } });
    assert.deepEqual(tasks[1], { index: 1, seed: 2, settings: { a: 10, b: 'x' } });
    assert.deepEqual(tasks[2], { index: 2, seed: 1, settings: { a: 10, b: 'y' } });
    assert.deepEqual(tasks[7], { index: 7, seed: 2, settings: { a: 20, b: 'y' } });
    assert.deepEqual(expandSweep({ seeds: [5], grid: [] }), [{ index: 0, seed: 5, settings: {} }]);
  });

  it('names run folders by sweep id and task index, never by time', () => {
    assert.equal(taskRunId('mnist-001', 7), 'mnist-001-task007');
    assert.equal(sweepIdStem('$(touch pwned)'), 'touch-pwned');
    assert.match(sweepIdStem(NASTY), /^[A-Za-z0-9_.-]+$/);
    // One dash for a run of unsafe characters, none at either end, no leading dot (a hidden folder).
    assert.equal(sweepIdStem('my  search!!'), 'my-search');
    assert.equal(sweepIdStem('..hidden'), 'hidden');
    assert.equal(sweepIdStem('a--'), 'a');
    assert.equal(sweepIdStem('x'.repeat(50)), 'x'.repeat(40));
    // Nothing usable left: a fixed stem rather than an empty id.
    assert.equal(sweepIdStem('$$$'), 'sweep');
  });

  it('describes a task by its grid values, or as the config itself without a grid', () => {
    assert.equal(describeSettings({ 'search.targetFlops': 20000000, 'training.l1': 0.001 }), 'search.targetFlops=20000000, training.l1=0.001');
    assert.equal(describeSettings({}), '(config)');
  });

  it('reads --seeds and refuses what is not a seed', () => {
    assert.deepEqual(parseSeedList('1, 2,3'), [1, 2, 3]);
    assert.throws(() => parseSeedList('1,x'), /"x" is not a seed/);
    assert.throws(() => parseSeedList('-1'), /not a seed/);
    assert.throws(() => parseSeedList(''), /comma-separated/);
    // Seeds are unsigned 32-bit integers written in decimal digits.
    assert.deepEqual(parseSeedList('10,4294967295'), [10, 4294967295]);
    assert.throws(() => parseSeedList('4294967296'), /"4294967296" is not a seed/);
    assert.throws(() => parseSeedList('1e3'), /"1e3" is not a seed/);
  });
});

describe('sbatch script', () => {
  const base: SbatchOptions = {
    sweepId: 'tiny-001', sweepDir: '/data/tiny/.resbuilder/sweeps/tiny-001', taskCount: 6, partition: 'gpu', time: '02:00:00',
    cpus: 4, gpus: 1, graceSeconds: 120, nodePath: '/usr/bin/node', cliPath: '/opt/rb/bin/resbuilder.js',
  };

  it('asks for one array with requeue, the pre-emption signal and logs in an existing folder', () => {
    const script = sbatchScript(base);
    for (const line of ['#SBATCH --array=0-5', '#SBATCH --cpus-per-task=4', '#SBATCH --gpus=1', '#SBATCH --partition=gpu', '#SBATCH --time=02:00:00',
      '#SBATCH --signal=B:TERM@120', '#SBATCH --requeue', '#SBATCH --output=logs/%A_%a.out', '#SBATCH --open-mode=append']) {
      assert.ok(script.split('\n').includes(line), line);
    }
    assert.match(script, /^exec '\/usr\/bin\/node' '\/opt\/rb\/bin\/resbuilder\.js' run-task '\/data\/tiny\/\.resbuilder\/sweeps\/tiny-001' "\$SLURM_ARRAY_TASK_ID" --quiet$/m);
    assert.ok(!sbatchScript({ ...base, gpus: 0, partition: null, time: null }).includes('--gpus'));
  });

  it('rejects a partition, time or id that would not survive an #SBATCH line', () => {
    assert.throws(() => sbatchScript({ ...base, partition: 'gpu --wrap=touch' }), /partition "gpu --wrap=touch": expected a partition name/);
    assert.throws(() => sbatchScript({ ...base, partition: '$(touch pwned)' }), /expected a partition name/);
    assert.throws(() => sbatchScript({ ...base, time: '1:00\n#SBATCH --x' }), /expected a time limit/);
    assert.throws(() => sbatchScript({ ...base, sweepId: 'a b' }), /sweep id/);
    assert.throws(() => sbatchScript({ ...base, cpus: 0 }), /cpus: expected an integer >= 1/);
  });

  it('quotes paths so bash sees them as they are and runs nothing of theirs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rb-quote-'));
    const sweepDir = path.join(dir, NASTY);
    fs.mkdirSync(sweepDir);
    // The whole script runs in a real bash, with a stand-in for node that prints its arguments.
    const printArgs = path.join(dir, 'print-args');
    fs.writeFileSync(printArgs, '#!/bin/sh\nprintf \'%s\\0\' "$@"\n', { mode: 0o755 });
    const script = sbatchScript({ ...base, sweepDir, nodePath: printArgs, cliPath: NASTY });
    const out = execFileSync('bash', ['-c', script], { cwd: dir, env: { ...process.env, SLURM_ARRAY_TASK_ID: '4' } }).toString();
    assert.deepEqual(out.split('\0').slice(0, -1), [NASTY, 'run-task', sweepDir, '4', '--quiet']);
    fs.rmSync(printArgs);
    fs.rmdirSync(sweepDir);
    assert.deepEqual(fs.readdirSync(dir), []);
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
    assert.throws(() => shellQuote('a\0b'), /NUL/);
  });
});

describe('task config', () => {
  it('sets the seed and the grid values, drops sweep:, points outputs into the sweep and keeps comments', () => {
    const text = '# my search\nseed: 1\nsearch:\n  cycles: 2 # two\nsweep:\n  seeds: [1, 2]\n';
    const out = taskConfigText(text, { seed: 9, settings: { 'search.targetFlops': 2e7, 'training.optimizer': 'sgd', 'dataset.path': NASTY } }, { archFile: '/s/a.arch.json', runsDir: '/s/runs' });
    assert.match(out, /# my search/);
    assert.match(out, /cycles: 2 # two/);
    const data = parse(out) as Record<string, Record<string, unknown>>;
    assert.equal(data.seed, 9);
    assert.equal(data.sweep, undefined);
    assert.deepEqual(data.search, { cycles: 2, targetFlops: 2e7 });
    assert.equal(data.training.optimizer, 'sgd');
    assert.equal(data.dataset.path, NASTY);
    assert.deepEqual(data.outputs, { archFile: '/s/a.arch.json', runsDir: '/s/runs' });
    assert.equal((parse(taskConfigText('', { seed: 1, settings: {} }, { archFile: '/a', runsDir: '/r' })) as { seed: number }).seed, 1);
  });

  it('refuses a config copy that is not valid YAML instead of writing a task config from part of it', () => {
    assert.throws(() => taskConfigText('seed: [1\n', { seed: 1, settings: {} }, { archFile: '/a', runsDir: '/r' }), /the sweep's config copy is not valid YAML: /);
  });
});

describe('task state', () => {
  const record = (r: Partial<TaskRecord>): TaskRecord => ({ lastOutcome: 'none', heartbeatAge: null, attempts: 0, cancelled: false, ...r });
  // Parsed inside each test, not when the file loads, so that the parser's mutants reach these tests.
  const queue = () => parseSchedulerLines('12_0|PENDING|Resources\n12_1|RUNNING|None\n12_2|CANCELLED|None\n12_3|COMPLETED|None\n12_4|PENDING|BeginTime\n12_5.batch|COMPLETED|\n');

  it('reads squeue and sacct lines, skipping job steps', () => {
    assert.deepEqual([...queue().keys()], ['12_0', '12_1', '12_2', '12_3', '12_4']);
    assert.equal(parseSchedulerLines('7_1|CANCELLED by 0|None').get('7_1')?.state, 'CANCELLED');
  });

  it('puts the run record and the scheduler together', () => {
    const entries = queue();
    assert.deepEqual(taskStatus(record({}), entries.get('12_0')), { state: 'pending', detail: 'Resources' });
    assert.equal(taskStatus(record({ attempts: 1, lastOutcome: 'stopped' }), entries.get('12_4')).state, 'requeued');
    assert.equal(taskStatus(record({ attempts: 1, lastOutcome: 'started', heartbeatAge: 3 }), entries.get('12_1')).state, 'running');
    assert.equal(taskStatus(record({ lastOutcome: 'finished' }), entries.get('12_3')).state, 'completed');
    // Slurm says COMPLETED, but the trainer stopped (a SIGTERM at the time limit): the record wins.
    assert.equal(taskStatus(record({ lastOutcome: 'stopped', attempts: 1 }), entries.get('12_3')).state, 'stopped');
    assert.deepEqual(taskStatus(record({ lastOutcome: 'stopped', cancelled: true }), undefined), { state: 'cancelled', detail: 'resumable' });
    assert.equal(taskStatus(record({ lastOutcome: 'stopped' }), entries.get('12_2')).state, 'cancelled');
    assert.equal(taskStatus(record({ lastOutcome: 'failed' }), undefined).state, 'failed');
    // Outside Slurm (no entry), a run is running as long as its heartbeat is fresh.
    assert.equal(taskStatus(record({ lastOutcome: 'started', heartbeatAge: 5 }), undefined).state, 'running');
    assert.deepEqual(taskStatus(record({ lastOutcome: 'started', heartbeatAge: 600 }), undefined), { state: 'failed', detail: 'no heartbeat for 600 s' });
  });
});

describe('sweep summary', () => {
  it('gives the mean and sample standard deviation per setting', () => {
    const s = meanSd([0.9, 0.92, 0.94])!;
    assert.ok(Math.abs(s.mean - 0.92) < 1e-12);
    assert.ok(Math.abs(s.sd - 0.02) < 1e-12);
    assert.deepEqual(meanSd([0.5]), { mean: 0.5, sd: 0, n: 1 });
    const rows = [
      { settings: { a: 1 }, testAccuracy: 0.9, flops: 1e6, params: 10, depth: 4 },
      { settings: { a: 1 }, testAccuracy: 0.8, flops: 3e6, params: 30, depth: 6 },
      { settings: { a: 2 }, testAccuracy: null, flops: null, params: null, depth: null },
    ];
    const summary = summarizeBySetting(rows);
    assert.deepEqual(summary.map((x) => [x.setting, x.tasks, x.testAccuracy?.n ?? 0]), [['a=1', 2, 2], ['a=2', 1, 0]]);
    assert.equal(summary[0].flops?.mean, 2e6);
    assert.equal(summary[0].params?.mean, 20);
    assert.equal(summary[0].depth?.mean, 5);
  });
});
