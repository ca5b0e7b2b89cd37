/**
 * The paths a config names, checked at validation: every kind of path against a file system in
 * a given state (permissions cannot be taken away from root, which CI runs as), and the same
 * checks on the real disk through `validateConfigText`.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { serializeArchitecture } from '../../../src/core/arch/json';
import { resnet20 } from '../../../src/core/arch/seeds';
import {
  checkConfigFiles, formatDiagnostic, parseConfigText, validateConfigText,
  type ConfigDiagnostic, type ConfigFileSystem, type PathStatus, type ResolvedConfig,
} from '../../../src/core/config';

const CONFIG = '/w/exp.resbuilder.yaml';
const ARCH_TEXT = serializeArchitecture(resnet20({ height: 28, width: 28, channels: 1 }, 10, 'standard'));

type Entry = { kind: PathStatus['kind']; readable?: boolean; writable?: boolean; text?: string };

/** A file system holding exactly `entries` (absolute paths); `/` and `/w` are writable folders. */
function fakeFs(entries: Record<string, Entry>): ConfigFileSystem {
  const all: Record<string, Entry> = { '/': { kind: 'folder' }, '/w': { kind: 'folder' }, ...entries };
  return {
    status: (file) => {
      const e = all[file];
      return e ? { kind: e.kind, readable: e.readable ?? true, writable: e.writable ?? true } : { kind: 'missing', readable: false, writable: false };
    },
    readText: (file) => {
      const text = all[file]?.text;
      if (text === undefined) throw new Error(`ENOENT: ${file}`);
      return text;
    },
  };
}

function configOf(text: string): ResolvedConfig {
  const parsed = parseConfigText(text, CONFIG);
  assert.ok(parsed.config, JSON.stringify(parsed.diagnostics));
  return parsed.config;
}

function check(text: string, entries: Record<string, Entry>): ConfigDiagnostic[] {
  return checkConfigFiles(text, configOf(text), fakeFs(entries));
}

/** The single diagnostic of a check, as the CLI prints it. */
function only(diagnostics: ConfigDiagnostic[]): string {
  assert.equal(diagnostics.length, 1, diagnostics.map((d) => d.message).join('\n'));
  return formatDiagnostic(diagnostics[0], CONFIG);
}

describe('config path checks', () => {
  describe('architecture.start', () => {
    const text = 'architecture:\n  start: ./prev.arch.json\n';
    it('accepts a readable architecture file and the built-in starts without looking at the disk', () => {
      assert.deepEqual(check(text, { '/w/prev.arch.json': { kind: 'file', text: ARCH_TEXT } }), []);
      assert.deepEqual(check('architecture:\n  start: resnet20\n', {}), []);
    });
    it('a missing file: the place, the resolved path and the fix', () => {
      const line = only(check(text, {}));
      assert.match(line, /^\/w\/exp\.resbuilder\.yaml:2:10: error: architecture\.start: no such file: \/w\/prev\.arch\.json\. Point architecture\.start at an \.arch\.json/);
      assert.match(line, /empty, auto, resnet18, resnet20/);
    });
    it('a folder', () => {
      assert.match(only(check(text, { '/w/prev.arch.json': { kind: 'folder' } })), /2:10: error: architecture\.start: \/w\/prev\.arch\.json is a folder, expected an \.arch\.json file/);
    });
    it('an unreadable file', () => {
      assert.match(only(check(text, { '/w/prev.arch.json': { kind: 'file', readable: false, text: ARCH_TEXT } })), /is not readable \(permission denied\)\. Give the user/);
    });
    it('something that is neither file nor folder', () => {
      assert.match(only(check(text, { '/w/prev.arch.json': { kind: 'other' } })), /2:10: error: architecture\.start: \/w\/prev\.arch\.json is not a regular file, expected an \.arch\.json file\. Point architecture\.start/);
    });
    it('a file that cannot be read: the reason and the fix', () => {
      assert.match(only(check(text, { '/w/prev.arch.json': { kind: 'file' } })), /architecture\.start: cannot read \/w\/prev\.arch\.json: ENOENT: \/w\/prev\.arch\.json\. Point architecture\.start at an \.arch\.json/);
    });
    it('a file that is not an architecture: its JSON place and fix', () => {
      assert.match(only(check(text, { '/w/prev.arch.json': { kind: 'file', text: '{"layers": [}' } })), /2:10: error: architecture\.start: not a usable architecture: \/w\/prev\.arch\.json:1:\d+: not valid JSON .*Fix the JSON syntax/);
      const wrong = JSON.parse(ARCH_TEXT) as { layers: { width?: number }[] };
      wrong.layers[1].width = 0;
      assert.match(only(check(text, { '/w/prev.arch.json': { kind: 'file', text: JSON.stringify(wrong) } })), /not a usable architecture: .*layers\[1\]\.width: expected .* Fix: /s);
    });
  });

  describe('dataset.path', () => {
    const text = 'dataset:\n  source: cifar10\n  path: ../data/cifar\n';
    it('accepts a readable folder', () => {
      assert.deepEqual(check(text, { '/data/cifar': { kind: 'folder' } }), []);
    });
    it('a missing folder names what belongs there', () => {
      assert.match(only(check(text, {})), /^\/w\/exp\.resbuilder\.yaml:3:9: error: dataset\.path: no such folder: \/data\/cifar\. Point dataset\.path at the folder the CIFAR-10 binary version was extracted into/);
    });
    it('a file where a folder belongs', () => {
      assert.match(only(check(text, { '/data/cifar': { kind: 'file' } })), /3:9: error: dataset\.path: \/data\/cifar is a file, expected a folder\. Point dataset\.path/);
    });
    it('something that is neither file nor folder', () => {
      assert.match(only(check(text, { '/data/cifar': { kind: 'other' } })), /3:9: error: dataset\.path: \/data\/cifar is not a folder, expected a folder\. Point dataset\.path/);
    });
    it('an unreadable folder', () => {
      assert.match(only(check(text, { '/data/cifar': { kind: 'folder', readable: false } })), /\/data\/cifar is not readable \(permission denied\)/);
    });
    it('is not checked for the built-in digits, and only when given for fashion-mnist', () => {
      assert.deepEqual(check('dataset:\n  source: mnist\n  path: ./nothing\n', {}), []);
      assert.deepEqual(check('dataset:\n  source: fashion-mnist\n', {}), []);
      assert.match(only(check('dataset:\n  source: fashion-mnist\n  path: ./fashion\n', {})), /no such folder: \/w\/fashion\. Point dataset\.path at the folder with the Fashion-MNIST IDX files/);
    });
  });

  describe('outputs', () => {
    it('accepts folders that do not exist yet under a writable one', () => {
      assert.deepEqual(check('outputs:\n  runsDir: ./out/runs\n  archFile: ./out/found.arch.json\n', {}), []);
    });
    it('accepts existing writable outputs', () => {
      assert.deepEqual(check('outputs:\n  runsDir: ./runs\n  archFile: ./a.arch.json\n', { '/w/runs': { kind: 'folder' }, '/w/a.arch.json': { kind: 'file' } }), []);
    });
    it('something that is neither file nor folder', () => {
      assert.match(only(check('outputs:\n  runsDir: ./runs\n', { '/w/runs': { kind: 'other' } })), /outputs\.runsDir: \/w\/runs is not a regular file or folder, expected a folder\./);
    });
    it('a disk where not even the root exists', () => {
      const config = configOf('seed: 1\n');
      const nothing: ConfigFileSystem = { status: () => ({ kind: 'missing', readable: false, writable: false }), readText: () => '' };
      const messages = checkConfigFiles('seed: 1\n', config, nothing).map((d) => d.message);
      assert.deepEqual(messages.map((m) => m.replace(/\. Set .*/, '')), ['cannot create /w/.resbuilder/runs: / is missing', 'cannot create /w/exp.arch.json: / is missing']);
    });
    it('runsDir: a file, or under a folder that cannot be written', () => {
      assert.match(only(check('outputs:\n  runsDir: ./runs\n', { '/w/runs': { kind: 'file' } })), /2:12: error: outputs\.runsDir: \/w\/runs is a file, expected a folder\. Set outputs\.runsDir to a folder/);
      assert.match(only(check('outputs:\n  runsDir: /ro/runs\n', { '/ro': { kind: 'folder', writable: false } })), /outputs\.runsDir: cannot create \/ro\/runs: \/ro is not writable \(permission denied\)/);
    });
    it('archFile: a folder, an unwritable file, a parent that is a file', () => {
      assert.match(only(check('outputs:\n  archFile: ./found\n', { '/w/found': { kind: 'folder' } })), /2:13: error: outputs\.archFile: \/w\/found is a folder, expected a file/);
      assert.match(only(check('outputs:\n  archFile: ./a.arch.json\n', { '/w/a.arch.json': { kind: 'file', writable: false } })), /\/w\/a\.arch\.json is not writable/);
      assert.match(only(check('outputs:\n  archFile: ./f/a.arch.json\n', { '/w/f': { kind: 'file' } })), /cannot create \/w\/f\/a\.arch\.json: \/w\/f is not a folder/);
    });
    it('a default output in a folder that cannot be written is reported at the start of the file', () => {
      const diagnostics = checkConfigFiles('seed: 1\n', configOf('seed: 1\n'), fakeFs({ '/w': { kind: 'folder', writable: false } }));
      assert.deepEqual(diagnostics.map((d) => [d.path.join('.'), d.range.start.line, d.range.start.column]), [['outputs.runsDir', 0, 0], ['outputs.archFile', 0, 0]]);
    });
  });

  describe('on the real disk (validateConfigText)', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'resbuilder-paths-'));
      mkdirSync(path.join(dir, 'cifar'));
      writeFileSync(path.join(dir, 'prev.arch.json'), ARCH_TEXT);
      writeFileSync(path.join(dir, 'a-file'), 'x');
      mkdirSync(path.join(dir, 'folder.arch.json'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('passes a config whose paths all exist', () => {
      const parsed = validateConfigText('dataset: {source: cifar10, path: ./cifar}\narchitecture: {start: ./prev.arch.json}\n', path.join(dir, 'ok.resbuilder.yaml'));
      assert.ok(parsed.config, JSON.stringify(parsed.diagnostics));
    });
    it('rejects the config, with every wrong path in text order', () => {
      const file = path.join(dir, 'bad.resbuilder.yaml');
      const parsed = validateConfigText('dataset: {source: idx, path: ./a-file}\narchitecture: {start: ./folder.arch.json}\noutputs: {runsDir: ./a-file/runs}\n', file);
      assert.equal(parsed.config, null);
      assert.deepEqual(parsed.diagnostics.map((d) => `${d.path.join('.')}@${d.range.start.line + 1}:${d.range.start.column + 1}`), ['dataset.path@1:30', 'architecture.start@2:23', 'outputs.runsDir@3:20']);
    });
    it('leaves the start architecture alone when asked to (a resumed run)', () => {
      const parsed = validateConfigText('architecture: {start: ./gone.arch.json}\n', path.join(dir, 'resumed.resbuilder.yaml'), { start: false });
      assert.ok(parsed.config);
    });
  });
});
