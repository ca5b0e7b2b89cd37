/**
 * Every failure of `resbuilder run`/`resume` prints its message, its place and its fix on stderr,
 * with and without `--quiet` (the built bin, in its own process, on real files).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { serializeArchitecture } from '../../../src/core/arch/json';
import { resnet20 } from '../../../src/core/arch/seeds';

const CLI = path.resolve(__dirname, '../../../bin/resbuilder.js');

interface FailureCase {
  name: string;
  /** Writes the files into `dir`; returns the CLI arguments. */
  setup(dir: string): string[];
  exitCode: number;
  /** What stderr must hold: the message, the place (file:line:col or the file at fault) and the fix. */
  message: RegExp;
  place: (dir: string) => RegExp;
  fix: RegExp;
  /** Whether a run folder is made (failures at validation start nothing). */
  runFolder: boolean;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function writeConfig(dir: string, text: string): string {
  const file = path.join(dir, 'exp.resbuilder.yaml');
  fs.writeFileSync(file, text);
  return file;
}

/** A CIFAR-10 folder with tiny batches (one record each), one of them cut short. */
function corruptCifar(dir: string): string {
  const folder = path.join(dir, 'cifar');
  fs.mkdirSync(folder);
  const record = Buffer.alloc(3073, 7);
  for (const name of ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin']) fs.writeFileSync(path.join(folder, name), record);
  fs.writeFileSync(path.join(folder, 'data_batch_3.bin'), record.subarray(0, 1000));
  return folder;
}

const configPlace = (line: number, column: number) => (dir: string) => new RegExp(`${escape(path.join(dir, 'exp.resbuilder.yaml'))}:${line}:${column}: error: `);

const CASES: FailureCase[] = [
  {
    name: 'a missing dataset folder',
    setup: (dir) => [writeConfig(dir, 'backend: cpu\ndataset:\n  source: cifar10\n  path: ./nowhere\n')],
    exitCode: 2, runFolder: false,
    place: configPlace(4, 9),
    message: /dataset\.path: no such folder: .*nowhere/,
    fix: /Point dataset\.path at the folder the CIFAR-10 binary version was extracted into/,
  },
  {
    name: 'a dataset path that is a file',
    setup: (dir) => {
      fs.writeFileSync(path.join(dir, 'digits.gz'), 'x');
      return [writeConfig(dir, 'backend: cpu\ndataset: {source: idx, path: ./digits.gz}\n')];
    },
    exitCode: 2, runFolder: false,
    place: configPlace(2, 30),
    message: /dataset\.path: .*digits\.gz is a file, expected a folder/,
    fix: /Point dataset\.path at the folder with the four IDX files/,
  },
  {
    name: 'a missing start architecture',
    setup: (dir) => [writeConfig(dir, 'backend: cpu\narchitecture:\n  start: ./missing.arch.json\n')],
    exitCode: 2, runFolder: false,
    place: configPlace(3, 10),
    message: /architecture\.start: no such file: .*missing\.arch\.json/,
    fix: /Point architecture\.start at an \.arch\.json a run wrote .* or use empty, auto, resnet18, resnet20/,
  },
  {
    name: 'a start architecture that is not one',
    setup: (dir) => {
      fs.writeFileSync(path.join(dir, 'broken.arch.json'), '{"layers": [1, 2,]}');
      return [writeConfig(dir, 'backend: cpu\narchitecture: {start: ./broken.arch.json}\n')];
    },
    exitCode: 2, runFolder: false,
    place: configPlace(2, 23),
    message: /architecture\.start: not a usable architecture: .*broken\.arch\.json:1:\d+: not valid JSON/,
    fix: /Fix the JSON syntax at line 1/,
  },
  {
    name: 'a start architecture that is a folder',
    setup: (dir) => {
      fs.mkdirSync(path.join(dir, 'found.arch.json'));
      return [writeConfig(dir, 'architecture:\n  start: found.arch.json\n')];
    },
    exitCode: 2, runFolder: false,
    place: configPlace(2, 10),
    message: /architecture\.start: .*found\.arch\.json is a folder, expected an \.arch\.json file/,
    fix: /Point architecture\.start at/,
  },
  {
    name: 'a runs folder that is a file',
    setup: (dir) => {
      fs.writeFileSync(path.join(dir, 'runs'), '');
      return [writeConfig(dir, 'outputs:\n  runsDir: runs\n')];
    },
    exitCode: 2, runFolder: false,
    place: configPlace(2, 12),
    message: /outputs\.runsDir: .*runs is a file, expected a folder/,
    fix: /Set outputs\.runsDir to a folder the user running the search may write/,
  },
  {
    name: 'an architecture output that is a folder',
    setup: (dir) => {
      fs.mkdirSync(path.join(dir, 'result'));
      return [writeConfig(dir, 'outputs: {archFile: ./result}\n')];
    },
    exitCode: 2, runFolder: false,
    place: configPlace(1, 21),
    message: /outputs\.archFile: .*result is a folder, expected a file/,
    fix: /Set outputs\.archFile to a file/,
  },
  {
    name: 'a corrupt CIFAR batch',
    setup: (dir) => {
      corruptCifar(dir);
      return [writeConfig(dir, 'backend: cpu\ndataset:\n  source: cifar10\n  path: ./cifar\n')];
    },
    exitCode: 1, runFolder: true,
    place: (dir) => new RegExp(`failed: ${escape(path.join(dir, 'cifar', 'data_batch_3.bin'))}: `),
    message: /is truncated or not a CIFAR-10 binary batch: 1000 bytes/,
    fix: /Download the CIFAR-10 binary version .* and extract it/,
  },
  {
    name: 'a start architecture for other images',
    setup: (dir) => {
      fs.writeFileSync(path.join(dir, 'cifar.arch.json'), serializeArchitecture(resnet20({ height: 32, width: 32, channels: 3 }, 10, 'standard')));
      return [writeConfig(dir, 'backend: cpu\ndataset: {limit: 50}\narchitecture: {start: ./cifar.arch.json}\n')];
    },
    exitCode: 1, runFolder: true,
    place: (dir) => new RegExp(`failed: ${escape(path.join(dir, 'cifar.arch.json'))}: `),
    message: /expects 32×32×3 inputs and 10 classes, but the dataset has 28×28×1 and 10/,
    fix: /Continue from an architecture found on the same kind of data/,
  },
  {
    name: 'resuming a folder that is not a run',
    setup: (dir) => ['resume', dir],
    exitCode: 1, runFolder: false,
    place: (dir) => new RegExp(`error: ${escape(dir)} is not a ResBuilder run folder`),
    message: /\(no events\.jsonl\)/,
    fix: /Pass a folder under \.resbuilder\/runs\/ next to the config/,
  },
];

function resbuilder(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('resbuilder CLI failures: message, place and fix on stderr in every mode', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const c of CASES) {
    for (const mode of ['normal', '--quiet'] as const) {
      it(`${c.name} (${mode})`, () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-errors-'));
        dirs.push(dir);
        const args = c.setup(dir);
        const argv = args[0] === 'resume' ? args : ['run', ...args];
        const result = resbuilder(mode === '--quiet' ? [...argv, '--quiet'] : argv, dir);
        assert.equal(result.code, c.exitCode, result.stderr);
        assert.match(result.stderr, c.place(dir));
        assert.match(result.stderr, c.message);
        assert.match(result.stderr, c.fix);
        assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace on the console');
        assert.doesNotMatch(result.stdout, /failed:/, 'the failure is on stderr only');
        const runs = path.join(dir, '.resbuilder', 'runs');
        assert.equal(fs.existsSync(runs) && fs.readdirSync(runs).length > 0, c.runFolder, 'a run folder only for failures after validation');
        if (c.runFolder) {
          const [runId] = fs.readdirSync(runs);
          assert.match(result.stderr, new RegExp(`details: ${escape(path.join(runs, runId, 'trainer.log'))}`));
          const events = fs.readFileSync(path.join(runs, runId, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; message?: string; hint?: string });
          const failed = events.at(-1)!;
          assert.equal(failed.type, 'failed', 'the run\'s record ends with the failure');
          assert.match(failed.message ?? '', c.message);
          assert.match(`${failed.message} ${failed.hint ?? ''}`, c.fix);
        }
      });
    }
  }
});
