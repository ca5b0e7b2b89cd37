import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfigFile } from '../../../src/core/config';
import { nodeConfigFileSystem } from '../../../src/core/config/load';

describe('loadConfigFile', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'resbuilder-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('returns the resolved config of a valid file and passes on warnings', async () => {
    const file = path.join(dir, 'ok.resbuilder.yaml');
    writeFileSync(file, 'preset: quick\ntraining:\n  momentum: 0.5\n');
    const warnings: string[] = [];
    const config = await loadConfigFile(file, { onWarning: (w) => warnings.push(w) });
    assert.equal(config.name, 'ok');
    assert.equal(config.search.cycles, 2);
    assert.deepEqual(warnings.length, 1);
    assert.ok(warnings[0].startsWith(`${file}:3:3: warning: training.momentum: has no effect`), warnings[0]);
  });

  it('throws a ConfigError that lists every error with its place', async () => {
    const file = path.join(dir, 'bad.resbuilder.yaml');
    writeFileSync(file, 'seed: x\nsearch:\n  cycels: 3\n');
    await assert.rejects(loadConfigFile(file), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.diagnostics.length, 2);
      assert.equal(error.message, [
        `${file}:1:7: error: seed: expected an integer >= 0 and <= 4294967295, got "x"`,
        `${file}:3:3: error: search.cycels: unknown setting "cycels" in search (did you mean "cycles"?)`,
      ].join('\n'));
      return true;
    });
  });

  it('names the file it cannot read', async () => {
    const file = path.join(dir, 'missing.resbuilder.yaml');
    await assert.rejects(loadConfigFile(file), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.ok(error.message.startsWith(`${file}: cannot read the config file`), error.message);
      return true;
    });
  });

  it('passes on only warnings, and needs no one to pass them to', async () => {
    const file = path.join(dir, 'mixed.resbuilder.yaml');
    writeFileSync(file, 'seed: x\ntraining:\n  momentum: 0.5\n');
    const warnings: string[] = [];
    await assert.rejects(loadConfigFile(file, { onWarning: (w) => warnings.push(w) }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.diagnostics.map((d) => [d.severity, d.path.join('.')]), [['error', 'seed']]);
      return true;
    });
    assert.deepEqual(warnings.map((w) => w.split(': ')[1]), ['warning']);
    const ok = path.join(dir, 'warn.resbuilder.yaml');
    writeFileSync(ok, 'training:\n  momentum: 0.5\n');
    assert.equal((await loadConfigFile(ok)).training.momentum, 0.5);
  });

  it('has no diagnostics to list for a file it cannot read', async () => {
    await assert.rejects(loadConfigFile(path.join(dir, 'missing.resbuilder.yaml')), (error: unknown) => error instanceof ConfigError && error.diagnostics.length === 0);
  });

  it('sees files, folders, other things and missing paths on the disk, and reads text', () => {
    const file = path.join(dir, 'text.txt');
    writeFileSync(file, 'héllo');
    assert.deepEqual(nodeConfigFileSystem.status(file), { kind: 'file', readable: true, writable: true });
    assert.equal(nodeConfigFileSystem.status(dir).kind, 'folder');
    assert.equal(nodeConfigFileSystem.status('/dev/null').kind, 'other');
    assert.deepEqual(nodeConfigFileSystem.status(path.join(dir, 'nothing')), { kind: 'missing', readable: false, writable: false });
    assert.equal(nodeConfigFileSystem.readText(file), 'héllo');
  });
});
