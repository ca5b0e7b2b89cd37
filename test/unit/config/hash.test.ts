import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { configHash, parseConfigText, stableStringify, type ResolvedConfig } from '../../../src/core/config';

function resolved(text: string, file = '/work/exp/a.resbuilder.yaml'): ResolvedConfig {
  const { config, diagnostics } = parseConfigText(text, file);
  assert.deepEqual(diagnostics, []);
  return config!;
}

const BASE = 'preset: quick\ndataset:\n  source: idx\n  path: ./data/emnist\nsearch:\n  cycles: 3\n';

describe('configHash', () => {
  it('is a sha256 hex digest and repeats for the same config', () => {
    const hash = configHash(resolved(BASE));
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(configHash(resolved(BASE)), hash);
  });

  it('does not depend on key order, comments or the file location', () => {
    const reordered = '# moved things around\nsearch: {cycles: 3}\ndataset:\n  path: ./data/emnist\n  source: idx\npreset: quick\n';
    const hash = configHash(resolved(BASE));
    assert.equal(configHash(resolved(reordered)), hash);
    assert.equal(configHash(resolved(BASE, '/elsewhere/clone/b.resbuilder.yaml')), hash, 'a cloned workspace keeps the hash');
  });

  it('ignores the name, the outputs and the preset name once its values are merged', () => {
    const hash = configHash(resolved(BASE));
    assert.equal(configHash(resolved(`name: other\noutputs:\n  runsDir: /tmp/runs\n  archFile: x.arch.json\n${BASE}`)), hash);
    const spelledOut = 'dataset:\n  source: idx\n  path: ./data/emnist\ntraining:\n  epochs: 4\n  batchNormMomentum: 0.9\n  schedule: cosine\nsearch:\n  cycles: 3\n  insertionsPerCycle: 2\n  epochsPerTraining: 1\n  finalEpochs: 12\n  finalMinSteps: 600\n  targetFlops: 2e7\n  finalWeights: inherit\narchitecture:\n  start: auto\n';
    assert.equal(configHash(resolved(spelledOut)), hash);
  });

  it('changes with anything that changes the experiment', () => {
    const hash = configHash(resolved(BASE));
    for (const changed of [
      BASE.replace('cycles: 3', 'cycles: 4'),
      `seed: 7\n${BASE}`,
      BASE.replace('./data/emnist', './data/mnist'),
      `architecture:\n  blockStyle: reference\n${BASE}`,
      `mode: train\n${BASE}`,
      BASE.replace('preset: quick', 'preset: paper'),
    ]) {
      assert.notEqual(configHash(resolved(changed)), hash, changed);
    }
  });

  it('hashes data paths relative to the config folder', () => {
    const a = resolved(BASE);
    const moved = { ...a, dataset: { ...a.dataset, path: path.resolve('/somewhere/else/emnist') } };
    assert.notEqual(configHash(moved), configHash(a));
  });
});

describe('stableStringify', () => {
  it('tells data folders apart by their whole relative path', () => {
    assert.notEqual(configHash(resolved('dataset:\n  source: idx\n  path: ./a/b\n')), configHash(resolved('dataset:\n  source: idx\n  path: ./ab\n')));
  });

  it('hashes a config without a data folder', () => {
    assert.notEqual(configHash(resolved('seed: 1\n')), configHash(resolved('dataset:\n  source: fashion-mnist\n  path: ./f\n')));
  });

  it('leaves out undefined values, as JSON does', () => {
    assert.equal(stableStringify({ a: 1, b: undefined }), '{"a":1}');
  });

  it('sorts keys at every depth and keeps array order', () => {
    assert.equal(stableStringify({ d: 1, c: 2, b: 3, a: 4 }), '{"a":4,"b":3,"c":2,"d":1}');
    assert.equal(stableStringify({ b: 1, a: { d: [2, 1], c: null } }), '{"a":{"c":null,"d":[2,1]},"b":1}');
    assert.equal(stableStringify({ a: 1, b: { y: 1, x: 2 } }), stableStringify({ b: { x: 2, y: 1 }, a: 1 }));
  });
});
