/**
 * Slurm sweeps against a real scheduler: the one-node cluster of cluster-hooks.ts runs the built
 * CLI (bin/resbuilder.js → dist/trainer.js, built by `npm run test:slurm`) as array tasks on a
 * tiny search of the built-in MNIST digits (wasm, one core per task). Nothing is mocked.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TrainerEvent } from '../../src/protocol/events';
import { readEventsFile } from '../../src/trainer/run/emitter';
import { TINY_SEARCH_CONFIG } from '../tiny-search';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'bin/resbuilder.js');

/** A value with every kind of shell metacharacter; it must reach the trainer as text and run nothing. */
const NASTY_VALUE = '$(touch pwned);`touch pwned` | touch pwned & \'q\' "d"';

interface Result { code: number; stdout: string; stderr: string }

function cli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as NodeJS.ErrnoException & { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function run(command: string, args: string[]): Promise<Result> {
  return new Promise((resolve) => execFile(command, args, (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr })));
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 540_000, diagnose?: () => Promise<string>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${diagnose ? `\n${await diagnose()}` : ''}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The last lines of a text file, or a note that it is not there. */
function tail(file: string, lines = 15): string {
  if (!fs.existsSync(file)) return `(no ${path.basename(file)})`;
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * What a stuck task looks like from every side, for a failure message: the sweep's status row,
 * Slurm's record of the job (state, reason, begin time), the task's log and the run's last events.
 */
async function diagnosis(sweepDir: string, jobId: string, runDir: string): Promise<string> {
  const rows = await cli(['status', sweepDir, '--json']);
  const job = await run('scontrol', ['show', 'job', jobId]);
  const slurmFields = (job.stdout.match(/\b(JobId|JobState|Reason|BeginTime|Restarts|NodeList)=\S+/g) ?? []).join(' ');
  const node = await run('sinfo', ['-h', '-N', '-o', '%N %T %E']);
  const logs = path.join(sweepDir, 'logs');
  const logFiles = fs.existsSync(logs) ? fs.readdirSync(logs).map((f) => `--- ${f}\n${tail(path.join(logs, f))}`) : ['(no logs folder)'];
  const lastEvents = events(runDir).slice(-5).map((e) => JSON.stringify(e).slice(0, 300));
  return [`status: ${rows.stdout.trim() || rows.stderr.trim()}`, `scontrol: ${slurmFields || job.stderr.trim()}`, `node: ${node.stdout.trim()}`, ...logFiles, 'last events:', ...lastEvents].join('\n');
}

interface Submitted { sweepDir: string; slurm: { jobId: string }; tasks: { index: number; seed: number; runId: string }[] }

async function submit(config: string, args: string[]): Promise<Submitted> {
  const result = await cli(['submit', config, '--cpus', '1', '--json', ...args], { cwd: path.dirname(config) });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Submitted;
}

interface StatusRow { index: number; state: string; detail: string; runDir: string }

async function status(sweepDir: string): Promise<StatusRow[]> {
  const result = await cli(['status', sweepDir, '--json']);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { tasks: StatusRow[] }).tasks;
}

function events(runDir: string): TrainerEvent[] {
  const file = path.join(runDir, 'events.jsonl');
  return fs.existsSync(file) ? readEventsFile(file) : [];
}

/** The search's decisions: every structural change, without times and sequence numbers. */
function decisions(runDir: string): unknown[] {
  return events(runDir).flatMap((e) => (e.type === 'structural-change' ? [e.change] : []));
}

function archWithoutProvenance(file: string): unknown {
  const { provenance, ...rest } = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  void provenance;
  return rest;
}

function filesNamed(dir: string, name: RegExp): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => name.test(path.basename(f)));
}

function workspace(dirName = 'ws'): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rb-slurm-')), dirName);
  fs.mkdirSync(dir);
  return dir;
}

async function waitForCheckpoint(runDir: string): Promise<void> {
  await waitFor(`a checkpoint in ${runDir}`, () => (events(runDir).some((e) => e.type === 'checkpoint') ? true : undefined));
}

describe('Slurm sweeps on a real one-node cluster', function () {
  // Names with shell metacharacters everywhere: the folder, the config file, a sweep value.
  const ws = workspace("a'b $(touch pwned) `touch pwned`");
  const config = path.join(ws, '$(touch pwned).resbuilder.yaml');
  fs.writeFileSync(config, TINY_SEARCH_CONFIG);
  let first: Submitted;

  it('runs a 3-seed array to completion with three .arch.json files and a report', async () => {
    first = await submit(config, ['--seeds', '1,2,3', '--set', `dataset.path=${NASTY_VALUE}`]);
    assert.equal(first.tasks.length, 3);
    assert.match(first.slurm.jobId, /^\d+$/);
    await waitFor('three completed tasks', async () => ((await status(first.sweepDir)).every((r) => r.state === 'completed') ? true : undefined));
    const archFiles = filesNamed(first.sweepDir, /\.arch\.json$/).filter((f) => !f.includes(path.sep));
    assert.deepEqual(archFiles.sort(), first.tasks.map((t) => `${t.runId}.arch.json`).sort());
    const report = await cli(['report', first.sweepDir, '--json']);
    assert.equal(report.code, 0, report.stderr);
    const { rows, files } = JSON.parse(report.stdout) as { rows: { seed: number; testAccuracy: number | null; flops: number | null; depth: number | null }[]; files: { png: string; svg: string } };
    assert.deepEqual(rows.map((r) => r.seed), [1, 2, 3]);
    for (const r of rows) {
      assert.ok(r.testAccuracy !== null && r.testAccuracy >= 0 && r.testAccuracy <= 1);
      assert.ok(r.flops !== null && r.flops > 0 && r.depth !== null && r.depth > 0);
    }
    assert.deepEqual([...fs.readFileSync(files.png).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.match(fs.readFileSync(files.svg, 'utf8'), /<svg[\s\S]*test accuracy/);
    // Each run folder records the job and array task that ran it.
    const record = JSON.parse(fs.readFileSync(path.join(first.sweepDir, 'runs', first.tasks[2].runId, 'slurm.json'), 'utf8')) as { jobId: string; arrayTaskId: number };
    assert.deepEqual([record.jobId, record.arrayTaskId], [first.slurm.jobId, 2]);
  });

  it('ran nothing of the names and values with shell metacharacters', () => {
    assert.deepEqual(filesNamed(path.dirname(ws), /^pwned/), []);
    // Where else a stray command would run: the test's and the tasks' working folders, home and /.
    for (const where of [process.cwd(), first.sweepDir, os.homedir(), '/']) assert.ok(!fs.existsSync(path.join(where, 'pwned')), where);
    const copy = fs.readFileSync(path.join(first.sweepDir, 'runs', first.tasks[0].runId, 'config.yaml'), 'utf8');
    assert.ok(copy.includes('touch pwned'), 'the value reached the task config as text');
  });

  it('resumes a task requeued in mid-training and makes the same decisions as the uninterrupted run', async () => {
    const sweep = await submit(config, ['--seeds', '1', '--set', `dataset.path=${NASTY_VALUE}`]);
    const runDir = path.join(sweep.sweepDir, 'runs', sweep.tasks[0].runId);
    await waitForCheckpoint(runDir);
    const requeue = await run('scontrol', ['requeue', `${sweep.slurm.jobId}_0`]);
    assert.equal(requeue.code, 0, requeue.stderr);
    const task = `${sweep.slurm.jobId}_0`;
    const diagnose = () => diagnosis(sweep.sweepDir, task, runDir);
    await waitFor('the requeued state', async () => ((await status(sweep.sweepDir))[0].state === 'requeued' ? true : undefined), 540_000, diagnose);
    await waitFor('the requeued task to finish', async () => {
      const row = (await status(sweep.sweepDir))[0];
      // Slurm holds a requeued job back for about two minutes (BeginTime). Ask it to start now on
      // every poll while it waits: the update is refused while the job is still completing.
      if (row.state === 'requeued') await run('scontrol', ['update', `JobId=${task}`, 'StartTime=now']);
      if (row.state === 'failed' || row.state === 'cancelled' || row.state === 'unknown') throw new Error(`the requeued task ended ${row.state} (${row.detail})\n${await diagnose()}`);
      return row.state === 'completed' ? true : undefined;
    }, 540_000, diagnose);
    const record = JSON.parse(fs.readFileSync(path.join(runDir, 'slurm.json'), 'utf8')) as { attempts: { action: string }[] };
    assert.deepEqual(record.attempts.map((a) => a.action), ['run', 'resume']);
    assert.ok(events(runDir).some((e) => e.type === 'stopped' && /SIGTERM/.test(e.reason)), 'the trainer checkpointed on SIGTERM');
    const reference = path.join(first.sweepDir, 'runs', first.tasks[0].runId);
    assert.ok(decisions(reference).length > 0);
    assert.deepEqual(decisions(runDir), decisions(reference));
    assert.deepEqual(archWithoutProvenance(path.join(sweep.sweepDir, `${sweep.tasks[0].runId}.arch.json`)), archWithoutProvenance(path.join(first.sweepDir, `${first.tasks[0].runId}.arch.json`)));
  });

  it('shows a cancelled task as cancelled, and resbuilder resume continues it', async () => {
    const sweep = await submit(config, ['--seeds', '2']);
    const runDir = path.join(sweep.sweepDir, 'runs', sweep.tasks[0].runId);
    await waitForCheckpoint(runDir);
    const cancel = await cli(['cancel', sweep.sweepDir]);
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.match(cancel.stdout, /cancelled 1 task/);
    await waitFor('the cancelled state', async () => ((await status(sweep.sweepDir))[0].state === 'cancelled' ? true : undefined));
    await waitFor('the trainer to stop', () => (events(runDir).some((e) => e.type === 'stopped') ? true : undefined), 60_000);
    const resumed = await cli(['resume', runDir, '--quiet']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.ok(events(runDir).some((e) => e.type === 'finished'));
    assert.equal((await status(sweep.sweepDir))[0].state, 'completed');
  });

  describe('bad input: a clear error each, nothing half-submitted', () => {
    const dir = workspace();
    const good = path.join(dir, 'tiny.resbuilder.yaml');
    fs.writeFileSync(good, TINY_SEARCH_CONFIG);
    const sweeps = path.join(dir, '.resbuilder', 'sweeps');
    const leftovers = () => (fs.existsSync(sweeps) ? fs.readdirSync(sweeps) : []);

    it('no sbatch on the PATH', async () => {
      const result = await cli(['submit', good, '--seeds', '1'], { env: { ...process.env, PATH: path.dirname(process.execPath) === '/usr/bin' ? '/nonexistent' : path.dirname(process.execPath) } });
      assert.equal(result.code, 2);
      assert.match(result.stderr, /sbatch is not on the PATH/);
      assert.deepEqual(leftovers(), []);
    });

    it('a partition sbatch rejects, and one that is not a name at all', async () => {
      const result = await cli(['submit', good, '--seeds', '1', '--partition', 'nosuchpartition']);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /nothing was submitted: sbatch .* failed: .*invalid partition/i);
      const injected = await cli(['submit', good, '--partition', 'debug;touch pwned']);
      assert.equal(injected.code, 2);
      assert.match(injected.stderr, /partition "debug;touch pwned": expected a partition name/);
      assert.deepEqual(leftovers(), []);
    });

    it('a folder the sweep cannot be written to', async () => {
      const blocked = path.join(dir, 'blocked.resbuilder.yaml');
      fs.writeFileSync(path.join(dir, 'afile'), '');
      fs.writeFileSync(blocked, `${TINY_SEARCH_CONFIG}outputs:\n  runsDir: afile/runs\n`);
      const result = await cli(['submit', blocked, '--seeds', '1']);
      assert.equal(result.code, 2);
      // Caught where the config is validated, at the setting's line and column, before anything is written.
      assert.match(result.stderr, /blocked\.resbuilder\.yaml:\d+:\d+: error: outputs\.runsDir: cannot create .*afile.*is not a folder/);
      assert.deepEqual(leftovers(), []);
    });

    it('a bad sweep: section, with file, line and column', async () => {
      const bad = path.join(dir, 'bad.resbuilder.yaml');
      fs.writeFileSync(bad, `${TINY_SEARCH_CONFIG}sweep:\n  seeds: [1, 2]\n  grid:\n    search.cycle: [1, 2]\n`);
      const result = await cli(['submit', bad]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /bad\.resbuilder\.yaml:23:5: error: sweep\.grid\.search\.cycle: unknown setting "search\.cycle".*did you mean "search\.cycles"/);
      const set = await cli(['submit', good, '--set', 'search.cycles=two']);
      assert.equal(set.code, 2);
      assert.match(set.stderr, /--set search\.cycles: expected an integer >= 1, got "two"/);
      assert.deepEqual(leftovers(), []);
    });

    it('Slurm settings with shell metacharacters, in the sweep: section or on the command line', async () => {
      const withSlurm = (slurm: string): string => {
        const file = path.join(dir, 'slurm.resbuilder.yaml');
        fs.writeFileSync(file, `${TINY_SEARCH_CONFIG}sweep:\n  grid:\n    dataset.path: ["${NASTY_VALUE.replace(/"/g, '\\"')}"]\n  slurm:\n${slurm}`);
        return file;
      };
      const partition = await cli(['submit', withSlurm('    partition: "debug;touch pwned"\n')]);
      assert.equal(partition.code, 2);
      assert.match(partition.stderr, /slurm\.resbuilder\.yaml:24:16: error: sweep\.slurm\.partition: expected a partition name .*got "debug;touch pwned"/);
      const time = await cli(['submit', withSlurm('    time: "1:00:00;touch pwned"\n')]);
      assert.equal(time.code, 2);
      assert.match(time.stderr, /slurm\.resbuilder\.yaml:24:11: error: sweep\.slurm\.time: expected a time limit/);
      const timeFlag = await cli(['submit', good, '--time', '1:00:00$(touch pwned)']);
      assert.equal(timeFlag.code, 2);
      assert.match(timeFlag.stderr, /--time "1:00:00\$\(touch pwned\)": expected a time limit like HH:MM:SS/);
      // A grid value from the file never reaches the script: the task reads it from sweep.json.
      const dryRun = await cli(['submit', withSlurm('    cpus: 1\n'), '--dry-run']);
      assert.equal(dryRun.code, 0, dryRun.stderr);
      assert.match(dryRun.stdout, /^#SBATCH --array=0-0$/m);
      assert.doesNotMatch(dryRun.stdout, /pwned/);
      assert.deepEqual(leftovers(), []);
      assert.deepEqual(filesNamed(dir, /^pwned/), []);
    });
  });
});
