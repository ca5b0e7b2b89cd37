/** The `resbuilder` command line as a user runs it (the built bin, in its own process). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { serializeArchitecture } from '../../../src/core/arch/json';
import { resnet20 } from '../../../src/core/arch/seeds';

const CLI = path.resolve(__dirname, '../../../bin/resbuilder.js');

function resbuilder(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-cli-'));
}

describe('resbuilder CLI', () => {
  it('prints help for the tool and for each command', () => {
    const main = resbuilder('--help');
    assert.equal(main.code, 0);
    for (const command of ['run', 'resume', 'inspect']) assert.match(main.stdout, new RegExp(`resbuilder ${command}`));
    const run = resbuilder('run', '--help');
    assert.equal(run.code, 0);
    assert.match(run.stdout, /--backend/);
  });

  it('rejects an unknown command with the usage', () => {
    const result = resbuilder('train');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Unknown command "train"/);
  });

  it('inspects an architecture file: every block, totals in MorphNet FLOPs', () => {
    const dir = tempDir();
    const file = path.join(dir, 'r20.arch.json');
    fs.writeFileSync(file, serializeArchitecture(resnet20({ height: 32, width: 32, channels: 3 }, 10, 'standard')));
    const result = resbuilder('inspect', file);
    assert.equal(result.code, 0, result.stderr);
    for (const block of ['s1b1', 's2b3', 's3b3']) assert.match(result.stdout, new RegExp(block));
    assert.match(result.stdout, /272,?474|272\.5k|272474/);
  });

  it('names the file, line, field and fix for a bad config, and starts nothing', () => {
    const dir = tempDir();
    const file = path.join(dir, 'bad.resbuilder.yaml');
    fs.writeFileSync(file, 'dataset:\n  source: mnist\n  validationSplitt: 0.2\ntraining:\n  batchSize: -4\n');
    const result = resbuilder('run', file);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /bad\.resbuilder\.yaml:3:3: error: .*validationSplitt.*did you mean "validationSplit"/);
    assert.match(result.stderr, /bad\.resbuilder\.yaml:5:14: error: training\.batchSize/);
    assert.ok(!fs.existsSync(path.join(dir, '.resbuilder')), 'no run folder for a config that does not parse');
  });

  it('explains a broken architecture file with its JSON path', () => {
    const dir = tempDir();
    const file = path.join(dir, 'broken.arch.json');
    const arch = JSON.parse(serializeArchitecture(resnet20({ height: 32, width: 32, channels: 3 }, 10, 'standard'))) as { layers: { width?: number }[] };
    arch.layers[2].width = -3;
    fs.writeFileSync(file, JSON.stringify(arch));
    const result = resbuilder('inspect', file);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /broken\.arch\.json/);
    assert.match(result.stderr, /layers\[2\]\.width/);
  });
});
