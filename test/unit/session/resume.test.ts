/**
 * Runs that survive: the real trainer bundle (dist/trainer.js, built by `npm test`'s pretest)
 * runs a tiny search on the built-in MNIST digits on wasm. Two uninterrupted runs with the same
 * seed make the same decisions; a run killed with SIGKILL in the middle of a training phase and
 * resumed makes the same decisions and ends with the same architecture.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TrainerEvent } from '../../../src/protocol/events';
import { readEventsFile } from '../../../src/trainer/run/emitter';
import { tinySearchConfig } from '../../tiny-search';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'bin/resbuilder.js');

// More images than the Slurm tests use, so a training phase lasts long enough to be killed in the middle.
const CONFIG = tinySearchConfig(320);

function workspace(text = CONFIG): { dir: string; config: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-resume-'));
  const config = path.join(dir, 'tiny.resbuilder.yaml');
  fs.writeFileSync(config, text);
  return { dir, config };
}

function cli(args: string[], onLine?: (line: string) => void): { done: Promise<number>; kill: () => void } {
  const child = spawn(process.execPath, [CLI, ...args, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) onLine?.(line);
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) process.stderr.write(stderr);
      resolve(code ?? -1);
    }),
  );
  return { done, kill: () => child.kill('SIGKILL') };
}

function runDirOf(dir: string): string {
  const runs = path.join(dir, '.resbuilder', 'runs');
  const entries = fs.readdirSync(runs);
  assert.equal(entries.length, 1, `one run folder in ${runs}`);
  return path.join(runs, entries[0]);
}

/** The run's events so far, or none while the run folder is still being created. */
function eventsSoFar(dir: string): TrainerEvent[] {
  const runs = path.join(dir, '.resbuilder', 'runs');
  if (!fs.existsSync(runs) || fs.readdirSync(runs).length === 0) return [];
  const file = path.join(runDirOf(dir), 'events.jsonl');
  return fs.existsSync(file) ? readEventsFile(file) : [];
}

function decisions(events: TrainerEvent[]): unknown[] {
  return events.filter((e) => e.type === 'structural-change').map((e) => (e.type === 'structural-change' ? { index: e.index, change: e.change } : null));
}

/** How the trainer's log line about inherited final weights begins (run-loop.ts). */
const INHERIT_LOG = 'The final training starts from the searched weights';
/** More steps than the tiny search's one final epoch takes. */
const FINAL_MIN_STEPS = 12;

/** Loss over the first batches of the final training, as its first progress event reports it. */
function firstFinalLoss(events: TrainerEvent[]): number {
  const first = events.find((e) => e.type === 'epoch-progress' && e.phase === 'final');
  assert.ok(first?.type === 'epoch-progress', 'the final training reported progress');
  return first.loss;
}

function finalArchitecture(dir: string): unknown {
  const doc = JSON.parse(fs.readFileSync(path.join(dir, 'tiny.arch.json'), 'utf8')) as { architecture: unknown };
  return doc.architecture;
}

describe('runs that survive (trainer process, wasm, built-in MNIST)', function () {
  this.timeout(900_000);
  let reference: { events: TrainerEvent[]; arch: unknown };

  before(async () => {
    assert.ok(fs.existsSync(path.join(ROOT, 'dist/trainer.js')), 'dist/trainer.js is built (npm test builds it first)');
    const ws = workspace();
    const code = await cli(['run', ws.config]).done;
    assert.equal(code, 0);
    reference = { events: readEventsFile(path.join(runDirOf(ws.dir), 'events.jsonl')), arch: finalArchitecture(ws.dir) };
  });

  it('makes structural changes, writes the architecture next to the config and ends with finished', () => {
    const kinds = reference.events.filter((e) => e.type === 'structural-change').map((e) => (e.type === 'structural-change' ? e.change.kind : ''));
    assert.ok(kinds.includes('insert'), `an insertion among ${kinds}`);
    assert.ok(kinds.includes('resize'), `a resize among ${kinds}`);
    assert.equal(reference.events.at(-1)?.type, 'finished');
    reference.events.forEach((e, i) => assert.equal(e.seq, i, 'gap-free sequence numbers'));
  });

  it('makes the same decisions with the same config, seed and backend', async () => {
    const ws = workspace();
    assert.equal(await cli(['run', ws.config]).done, 0);
    const events = readEventsFile(path.join(runDirOf(ws.dir), 'events.jsonl'));
    assert.deepEqual(decisions(events), decisions(reference.events));
    assert.deepEqual(finalArchitecture(ws.dir), reference.arch);
  });

  it('stops on SIGINT inside the first epoch with a checkpoint, resumable to the same result', async () => {
    const ws = workspace();
    const run = spawn(process.execPath, [CLI, 'run', ws.config, '--quiet'], { stdio: 'ignore' });
    const sent = new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (eventsSoFar(ws.dir).some((e) => e.type === 'epoch-progress')) {
          clearInterval(timer);
          run.kill('SIGINT');
          resolve();
        }
      }, 20);
    });
    await sent;
    const code = await new Promise<number | null>((resolve) => run.on('exit', (c) => resolve(c)));
    assert.equal(code, 0, 'a requested stop is a clean exit');
    const runDir = runDirOf(ws.dir);
    const stopped = readEventsFile(path.join(runDir, 'events.jsonl')).at(-1);
    assert.equal(stopped?.type, 'stopped');
    assert.ok(stopped?.type === 'stopped' && stopped.resumable, 'resumable although no epoch had ended');
    assert.equal(await cli(['resume', runDir]).done, 0);
    const events = readEventsFile(path.join(runDir, 'events.jsonl'));
    assert.deepEqual(decisions(events), decisions(reference.events));
    assert.deepEqual(finalArchitecture(ws.dir), reference.arch);
  });

  it('resumes a run killed with SIGKILL mid-phase to the same decisions and architecture', async () => {
    const ws = workspace();
    // Kill once a mid-phase checkpoint (weights, optimizer slots, RNG states after epoch 1) of
    // the training after the first insertion is on disk, while epoch 2 trains.
    let killedAt = -1;
    const run = cli(['run', ws.config]);
    const killer = setInterval(() => {
      const events = eventsSoFar(ws.dir);
      const changes = events.filter((e) => e.type === 'structural-change').length;
      const afterInsert = events.findIndex((e) => e.type === 'structural-change' && e.change.kind === 'insert');
      const midPhase = afterInsert >= 0 && events.slice(afterInsert).some((e) => e.type === 'checkpoint' && / epoch 1$/.test(e.label));
      if (changes >= 1 && midPhase && killedAt < 0) {
        killedAt = events.length;
        run.kill();
      }
    }, 20);
    const code = await run.done;
    clearInterval(killer);
    assert.ok(killedAt > 0, 'the run was killed in the middle of the training after an insertion');
    assert.notEqual(code, 0);
    const runDir = runDirOf(ws.dir);
    assert.ok(!fs.existsSync(path.join(ws.dir, 'tiny.arch.json')), 'the killed run had not finished');

    assert.equal(await cli(['resume', runDir]).done, 0);
    const events = readEventsFile(path.join(runDir, 'events.jsonl'));
    assert.ok(events.some((e) => e.type === 'run-started' && e.resumed), 'a resumed run-started event');
    assert.deepEqual(decisions(events), decisions(reference.events));
    assert.deepEqual(finalArchitecture(ws.dir), reference.arch);
    events.forEach((e, i) => assert.equal(e.seq, i, 'the resumed stream continues the sequence'));
  });

  // One run with both final-training settings changed (neither touches a search decision); the
  // two tests below read it.
  let finalSettingsRun: Promise<{ events: TrainerEvent[]; arch: unknown }> | undefined;
  function runWithFinalSettings(): Promise<{ events: TrainerEvent[]; arch: unknown }> {
    finalSettingsRun ??= (async () => {
      const ws = workspace(CONFIG.replace('search:\n', `search:\n  finalWeights: inherit\n  finalMinSteps: ${FINAL_MIN_STEPS}\n`));
      assert.equal(await cli(['run', ws.config]).done, 0);
      return { events: readEventsFile(path.join(runDirOf(ws.dir), 'events.jsonl')), arch: finalArchitecture(ws.dir) };
    })();
    return finalSettingsRun;
  }

  it('with finalWeights: inherit, the final training starts from the searched weights, after the same decisions', async () => {
    const { events, arch } = await runWithFinalSettings();
    assert.deepEqual(decisions(events), decisions(reference.events));
    assert.deepEqual(arch, reference.arch);
    const note = events.find((e) => e.type === 'log' && e.message.startsWith(INHERIT_LOG));
    assert.ok(note?.type === 'log' && /[1-9]\d* resized/.test(note.message), 'a log says which weights were kept and resized');
    assert.ok(!reference.events.some((e) => e.type === 'log' && e.message.startsWith(INHERIT_LOG)));
    // Trained weights start the final training below the fresh network's loss.
    const inherited = firstFinalLoss(events);
    const fresh = firstFinalLoss(reference.events);
    assert.ok(inherited < fresh, `first final-training loss ${inherited} (inherited) against ${fresh} (fresh)`);
  });

  it('with finalMinSteps above finalEpochs\' steps, the final training runs the epochs that reach it and says so', async () => {
    const { events } = await runWithFinalSettings();
    const finalEpochs = (list: TrainerEvent[]) => {
      const started = list.find((e) => e.type === 'phase-started' && e.phase === 'final');
      assert.ok(started?.type === 'phase-started');
      return { announced: started.epochs, trained: list.filter((e) => e.type === 'epoch-end' && e.phase === 'final').length };
    };
    // 320 training images in batches of 64: 5 steps per epoch, so 12 steps take 3 epochs.
    assert.deepEqual(finalEpochs(events), { announced: 3, trained: 3 });
    assert.deepEqual(finalEpochs(reference.events), { announced: 1, trained: 1 });
    const note = events.find((e) => e.type === 'log' && e.message.includes('search.finalMinSteps'));
    assert.ok(note?.type === 'log' && note.message.includes('3 epochs') && note.message.includes('5 steps per epoch'), 'a log says why the final training is longer');
  });
});
