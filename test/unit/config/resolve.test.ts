import { strict as assert } from 'node:assert';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { CONFIG_DEFAULTS, DEFAULT_BLOCK_STYLE, PRESETS, parseConfigText, type ResolvedConfig } from '../../../src/core/config';
import { formatDiagnostic } from '../../../src/core/config/diagnostics';

const DIR = path.resolve('/work/exp/sub');
const FILE = path.join(DIR, 'demo.resbuilder.yaml');

function resolved(text: string, file = FILE): ResolvedConfig {
  const { config, diagnostics } = parseConfigText(text, file);
  assert.deepEqual(diagnostics, []);
  assert.ok(config);
  return config;
}

describe('config resolution: defaults', () => {
  it('fills every setting of an empty file from the defaults', () => {
    for (const text of ['', '# nothing yet\n', '{}\n']) {
      const config = resolved(text);
      const { configPath, name, outputs, ...settings } = config;
      assert.deepEqual(settings, CONFIG_DEFAULTS);
      assert.equal(configPath, FILE);
      assert.equal(name, 'demo');
      assert.deepEqual(outputs, { archFile: path.join(DIR, 'demo.arch.json'), runsDir: path.join(DIR, '.resbuilder', 'runs'), export: [] });
    }
  });

  it('uses the reference code values of docs/algorithm.md, "Hyperparameters and defaults"', () => {
    const c = resolved('');
    assert.equal(c.seed, 42);
    assert.equal(c.dataset.validationSplit, 0.2);
    assert.deepEqual(c.dataset.augmentation, { shift: 0.1, flip: true });
    assert.deepEqual([c.training.optimizer, c.training.learningRate, c.training.batchSize], ['adam', 1e-3, 128]);
    assert.deepEqual([c.training.l1, c.training.l2], [1e-8, 1e-5]);
    assert.deepEqual([c.search.cycles, c.search.insertionsPerCycle, c.search.epochsPerTraining], [7, 3, 20]);
    assert.deepEqual([c.search.morphnetLambda, c.search.aliveThreshold, c.search.targetFlops], [1e-7, 1e-2, 1e9]);
    assert.deepEqual([c.search.shrinkIntensity, c.search.expandIntensity, c.search.deleteThreshold], [1, 0.5, 1e-3]);
    assert.deepEqual([c.search.momentumGate, c.search.momentumThreshold, c.search.gateAccuracy], [true, 0.015, 'validation']);
    assert.equal(c.search.insertionAttempts, 9);
    assert.equal(c.search.deleteUsesPreviousRunWeights, true);
    assert.equal(c.search.noRegEvaluation, false);
    assert.equal(c.architecture.blockStyle, DEFAULT_BLOCK_STYLE);
  });
});

describe('config resolution: presets', () => {
  it('paper is the defaults with the no-reg evaluation retrains and the authors\' test-accuracy gate', () => {
    const paper = resolved('preset: paper\n');
    const none = resolved('preset: none\n');
    assert.equal(paper.preset, 'paper');
    assert.equal(paper.search.noRegEvaluation, true);
    assert.equal(paper.search.gateAccuracy, 'test');
    assert.deepEqual({ ...paper.search, noRegEvaluation: false, gateAccuracy: 'validation' }, none.search);
    assert.deepEqual(paper.training, none.training);
    assert.deepEqual(paper.dataset, none.dataset);
  });

  it('quick shortens the schedule', () => {
    const quick = resolved('preset: quick\n');
    assert.deepEqual(
      [quick.search.cycles, quick.search.insertionsPerCycle, quick.search.epochsPerTraining, quick.search.finalEpochs, quick.search.targetFlops],
      [2, 2, 1, 12, 2e7],
    );
    // The final training holds small datasets to the steps 12 epochs of the built-in MNIST take; the defaults train exactly finalEpochs.
    assert.equal(quick.search.finalMinSteps, 12 * Math.ceil(6_400 / 128));
    assert.equal(resolved('').search.finalMinSteps, 0);
    assert.equal(quick.training.batchSize, 128);
    // Everything the preset does not name keeps its default.
    assert.equal(quick.search.morphnetLambda, CONFIG_DEFAULTS.search.morphnetLambda);
    assert.equal(quick.training.learningRate, CONFIG_DEFAULTS.training.learningRate);
  });

  it('merges defaults ← preset ← explicit values, field by field within a section', () => {
    const c = resolved('preset: quick\nsearch:\n  cycles: 5\n  morphnetLambda: 2e-7\ntraining:\n  batchSize: 32\n');
    assert.equal(c.search.cycles, 5, 'explicit beats preset');
    assert.equal(c.search.insertionsPerCycle, PRESETS.quick.search!.insertionsPerCycle, 'preset fills what the user left out');
    assert.equal(c.search.morphnetLambda, 2e-7, 'explicit beats default');
    assert.equal(c.search.aliveThreshold, CONFIG_DEFAULTS.search.aliveThreshold, 'default fills the rest');
    assert.equal(c.training.batchSize, 32);
    assert.equal(c.training.epochs, PRESETS.quick.training!.epochs);
  });

  it('lets an explicit value switch off what a preset switches on', () => {
    assert.equal(resolved('preset: paper\nsearch:\n  noRegEvaluation: false\n').search.noRegEvaluation, false);
  });

  it('merges the nested augmentation section key by key', () => {
    const c = resolved('dataset:\n  augmentation:\n    flip: false\n');
    assert.deepEqual(c.dataset.augmentation, { shift: CONFIG_DEFAULTS.dataset.augmentation.shift, flip: false });
  });

  it('never mutates the defaults or presets', () => {
    const before = JSON.stringify([CONFIG_DEFAULTS, PRESETS]);
    const c = resolved('preset: quick\ndataset:\n  augmentation:\n    shift: 0\n');
    c.search.cycles = 99;
    c.dataset.augmentation.flip = false;
    assert.equal(JSON.stringify([CONFIG_DEFAULTS, PRESETS]), before);
  });
});

describe('config resolution: names and paths', () => {
  it('names the experiment after the file unless the config names it', () => {
    assert.equal(resolved('', path.join(DIR, 'cifar.resbuilder.yaml')).name, 'cifar');
    assert.equal(resolved('', path.join(DIR, 'plain.yaml')).name, 'plain');
    assert.equal(resolved('', path.join(DIR, 'other.resbuilder.yml')).name, 'other');
    const named = resolved('name: Fancy run\n');
    assert.equal(named.name, 'Fancy run');
    assert.equal(named.outputs.archFile, path.join(DIR, 'Fancy run.arch.json'));
  });

  it('resolves data, start and output paths against the config folder', () => {
    const c = resolved([
      'dataset:',
      '  source: cifar10',
      '  path: ../data/cifar-10-batches-bin',
      'architecture:',
      '  start: ./found/net.arch.json',
      'outputs:',
      '  archFile: results/best.arch.json',
      '  runsDir: /var/runs',
      '',
    ].join('\n'));
    assert.equal(c.dataset.path, path.resolve('/work/exp/data/cifar-10-batches-bin'));
    assert.equal(c.architecture.start, path.join(DIR, 'found', 'net.arch.json'));
    assert.equal(c.outputs.archFile, path.join(DIR, 'results', 'best.arch.json'));
    assert.equal(c.outputs.runsDir, path.resolve('/var/runs'));
  });

  it('keeps built-in start names, and expands ~ to the home folder', () => {
    assert.equal(resolved('architecture:\n  start: resnet20\n').architecture.start, 'resnet20');
    const c = resolved('dataset:\n  source: idx\n  path: ~/datasets/emnist\n');
    assert.equal(c.dataset.path, path.join(homedir(), 'datasets', 'emnist'));
  });

  it('expands ~ alone to the home folder and leaves ~name alone', () => {
    assert.equal(resolved('dataset:\n  source: idx\n  path: "~"\n').dataset.path, homedir());
    assert.equal(resolved('dataset:\n  source: idx\n  path: ~data\n').dataset.path, path.join(DIR, '~data'));
  });

  it('takes the backend and workers the config names', () => {
    const c = resolved('backend: wasm\nworkers: 3\n');
    assert.deepEqual([c.backend, c.workers], ['wasm', 3]);
  });

  it('names the experiment after the whole file name when it does not end in .yaml', () => {
    assert.equal(resolved('', path.join(DIR, 'x.yaml.bak')).name, 'x.yaml.bak');
    assert.equal(resolved('', path.join(DIR, 'x.resbuilder.YML')).name, 'x');
  });

  it('resolves a relative config path against the working folder', () => {
    const c = resolved('', 'configs/x.resbuilder.yaml');
    assert.equal(c.configPath, path.resolve('configs/x.resbuilder.yaml'));
    assert.equal(c.outputs.runsDir, path.resolve('configs', '.resbuilder', 'runs'));
  });
});

describe('config resolution: outputs.export', () => {
  it('takes the export formats once each, and rejects an unknown one', () => {
    const config = resolved('outputs:\n  export: [pytorch, onnx, pytorch]\n');
    assert.deepEqual(config.outputs.export, ['pytorch', 'onnx']);
    const { diagnostics } = parseConfigText('outputs:\n  export: [tflite]\n', FILE);
    assert.ok(diagnostics.some((d) => d.severity === 'error' && /outputs\.export/.test(formatDiagnostic(d, FILE))), diagnostics.map((d) => formatDiagnostic(d, FILE)).join('\n'));
  });
});
