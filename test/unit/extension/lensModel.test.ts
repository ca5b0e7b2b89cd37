import * as assert from 'node:assert/strict';
import { computeLenses, lensLine, readMode, type ConfigRunStatus } from '../../../src/extension/codelens/lensModel';

const idle: ConfigRunStatus = { active: null, last: null };
const titles = (text: string, status: ConfigRunStatus): string[] => computeLenses(text, status).map((l) => l.title.replace(/^\$\([^)]*\) /, ''));

describe('extension CodeLens model', () => {
  const search = '# my experiment\n\nmode: search\ndataset:\n  source: mnist\n';
  const train = 'preset: quick\nmode: "train"  # plain training\n';

  it('reads the mode and places the lenses on the first content line', () => {
    assert.equal(readMode(search), 'search');
    assert.equal(readMode(train), 'train');
    assert.equal(readMode('dataset:\n  mode: train\n'), null);
    assert.equal(lensLine(search), 2);
    assert.equal(lensLine('---\n# c\nseed: 1'), 2);
    assert.ok(computeLenses(search, idle).every((l) => l.line === 2));
  });

  it('offers Run search or Run training when idle', () => {
    assert.deepEqual(titles(search, idle), ['Run search']);
    assert.deepEqual(titles(train, idle), ['Run training']);
    assert.deepEqual(titles('seed: 1\n', idle), ['Run search']);
  });

  it('offers Stop and Show panel while running', () => {
    const lenses = computeLenses(search, { active: { phase: 'running', detail: 'Cycle 1 · epoch 2/3' }, last: null });
    assert.deepEqual(lenses.map((l) => l.action), ['status', 'stop', 'showPanel']);
    assert.match(lenses[0].title, /Cycle 1 · epoch 2\/3/);
    assert.deepEqual(computeLenses(search, { active: { phase: 'stopping', detail: null }, last: null }).map((l) => l.action), ['status', 'showPanel']);
    assert.deepEqual(computeLenses(search, { active: { phase: 'queued', detail: null }, last: null }).map((l) => l.action), ['status', 'stop']);
  });

  it('offers the last run and its architecture after a run, and Resume when it can continue', () => {
    const finished = computeLenses(search, { active: null, last: { runDir: '/r', state: 'finished', resumable: false, archExists: true } });
    assert.deepEqual(finished.map((l) => l.action), ['run', 'openLastRun', 'openArchitecture']);
    const stopped = computeLenses(search, { active: null, last: { runDir: '/r', state: 'stopped', resumable: true, archExists: false } });
    assert.deepEqual(stopped.map((l) => l.action), ['run', 'resume', 'openLastRun']);
  });
});
