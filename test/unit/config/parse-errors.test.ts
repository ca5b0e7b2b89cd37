import { strict as assert } from 'node:assert';
import { formatDiagnostic, parseConfigText, type ConfigDiagnostic } from '../../../src/core/config';

const FILE = '/work/exp/demo.resbuilder.yaml';

function parse(text: string) {
  return parseConfigText(text, FILE);
}

function only(diagnostics: ConfigDiagnostic[], path: string): ConfigDiagnostic {
  const matches = diagnostics.filter((d) => d.path.join('.') === path);
  assert.equal(matches.length, 1, `one diagnostic for ${path}, got ${JSON.stringify(diagnostics, null, 1)}`);
  return matches[0];
}

/** [line, column] of start and end, 0-based. */
function span(d: ConfigDiagnostic): [number, number, number, number] {
  return [d.range.start.line, d.range.start.column, d.range.end.line, d.range.end.column];
}

describe('config parsing: errors', () => {
  it('underlines a wrong value, says what was expected, and gives no config', () => {
    const text = 'dataset:\n  validationSplit: 1.5\n';
    const { config, diagnostics } = parse(text);
    assert.equal(config, null);
    const d = only(diagnostics, 'dataset.validationSplit');
    assert.equal(d.severity, 'error');
    assert.deepEqual(span(d), [1, 19, 1, 22]);
    assert.equal(d.range.start.offset, text.indexOf('1.5'));
    assert.equal(d.message, 'expected a number >= 0 and < 1, got 1.5');
  });

  it('reports wrong types with the value found', () => {
    const text = ['seed: "7"', 'search:', '  cycles: 2.5', '  momentumGate: yes please', 'training:', '  batchSize: [1, 2]', 'dataset: mnist', ''].join('\n');
    const { diagnostics } = parse(text);
    assert.equal(only(diagnostics, 'seed').message, 'expected an integer >= 0 and <= 4294967295, got "7"');
    assert.deepEqual(span(only(diagnostics, 'seed')), [0, 6, 0, 9]);
    assert.equal(only(diagnostics, 'search.cycles').message, 'expected an integer >= 1, got 2.5');
    assert.deepEqual(span(only(diagnostics, 'search.cycles')), [2, 10, 2, 13]);
    assert.equal(only(diagnostics, 'search.momentumGate').message, 'expected true or false, got "yes please"');
    assert.equal(only(diagnostics, 'training.batchSize').message, 'expected an integer >= 1 and <= 65536, got a list');
    assert.deepEqual(span(only(diagnostics, 'training.batchSize')), [5, 13, 5, 19]);
    assert.match(only(diagnostics, 'dataset').message, /^expected a mapping of settings .*, got "mnist"$/);
    assert.deepEqual(span(only(diagnostics, 'dataset')), [6, 9, 6, 14]);
  });

  it('reports out-of-range values against exclusive and inclusive bounds', () => {
    const text = 'training:\n  learningRate: 0\n  momentum: 1\nsearch:\n  shrinkIntensity: 1.01\n  insertionsPerCycle: -1\nworkers: 65\n';
    const { diagnostics } = parse(text);
    assert.equal(only(diagnostics, 'training.learningRate').message, 'expected a number > 0, got 0');
    assert.equal(only(diagnostics, 'training.momentum').message, 'expected a number >= 0 and < 1, got 1');
    assert.equal(only(diagnostics, 'search.shrinkIntensity').message, 'expected a number >= 0 and <= 1, got 1.01');
    assert.equal(only(diagnostics, 'search.insertionsPerCycle').message, 'expected an integer >= 0, got -1');
    assert.deepEqual(span(only(diagnostics, 'workers')), [6, 9, 6, 11]);
  });

  it('points at the key when a value is left empty', () => {
    const { diagnostics } = parse('search:\n  cycles:\n');
    const d = only(diagnostics, 'search.cycles');
    assert.equal(d.message, 'expected an integer >= 1, got nothing (null)');
    assert.deepEqual(span(d), [1, 2, 1, 8]);
  });

  it('underlines unknown keys at every depth and suggests the closest allowed key', () => {
    const text = [
      'dataste: {}', //               root
      'dataset:',
      '  validationSplt: 0.3', //     section
      '  augmentation:',
      '    flop: false', //           nested section
      'training:',
      '  batch_size: 64', //          snake_case of batchSize
      '  cycles: 3', //               belongs to search
      'search:',
      '  fooBarBaz: 1', //            nothing close
      '',
    ].join('\n');
    const { config, diagnostics } = parse(text);
    assert.equal(config, null);
    const root = only(diagnostics, 'dataste');
    assert.deepEqual(span(root), [0, 0, 0, 7]);
    assert.equal(root.suggestion, 'dataset');
    const section = only(diagnostics, 'dataset.validationSplt');
    assert.deepEqual(span(section), [2, 2, 2, 16]);
    assert.equal(section.suggestion, 'validationSplit');
    const nested = only(diagnostics, 'dataset.augmentation.flop');
    assert.deepEqual(span(nested), [4, 4, 4, 8]);
    assert.equal(nested.suggestion, 'flip');
    assert.equal(only(diagnostics, 'training.batch_size').suggestion, 'batchSize');
    assert.equal(only(diagnostics, 'training.cycles').suggestion, 'search.cycles');
    const unknown = only(diagnostics, 'search.fooBarBaz');
    assert.equal(unknown.suggestion, undefined);
    assert.match(unknown.message, /^unknown setting "fooBarBaz" in search; the settings here are: cycles, insertionsPerCycle, /);
    assert.equal(diagnostics.length, 6);
  });

  it('suggests the closest allowed value for a misspelled choice', () => {
    const text = 'preset: quik\nbackend: wsam\nsearch:\n  gateAccuracy: validaton\narchitecture:\n  start: resnet-18\n';
    const { diagnostics } = parse(text);
    const preset = only(diagnostics, 'preset');
    assert.equal(preset.message, 'expected one of "paper", "quick", "none", got "quik"');
    assert.equal(preset.suggestion, 'quick');
    assert.deepEqual(span(preset), [0, 8, 0, 12]);
    assert.equal(only(diagnostics, 'backend').suggestion, 'wasm');
    assert.equal(only(diagnostics, 'search.gateAccuracy').suggestion, 'validation');
    const start = only(diagnostics, 'architecture.start');
    assert.equal(start.message, 'expected "empty", "auto", "resnet18", "resnet20" or a path ending in ".arch.json", got "resnet-18"');
    assert.equal(start.suggestion, 'resnet18');
  });

  it('requires a start path to end in .arch.json', () => {
    const { diagnostics } = parse('architecture:\n  start: ./found.json\n');
    const d = only(diagnostics, 'architecture.start');
    assert.match(d.message, /a path ending in "\.arch\.json", got "\.\/found\.json"$/);
    assert.deepEqual(span(d), [1, 9, 1, 21]);
  });

  it('requires dataset.path for sources that read files, pointing at the dataset key', () => {
    for (const source of ['idx', 'cifar10', 'cifar100', 'image-folder']) {
      const { config, diagnostics } = parse(`seed: 1\ndataset:\n  source: ${source}\n`);
      assert.equal(config, null);
      const d = only(diagnostics, 'dataset.path');
      assert.equal(d.severity, 'error');
      assert.deepEqual(span(d), [1, 0, 1, 7], source);
      assert.match(d.message, new RegExp(`^expected the folder of the ${source} files .*, got no path$`));
    }
    const explicitNull = only(parse('dataset:\n  source: cifar10\n  path: null\n').diagnostics, 'dataset.path');
    assert.deepEqual(span(explicitNull), [2, 8, 2, 12]);
    for (const source of ['mnist', 'fashion-mnist']) assert.deepEqual(parse(`dataset:\n  source: ${source}\n`).diagnostics, []);
  });

  it('reports YAML syntax errors with their place, and the schema errors of what did parse', () => {
    const text = 'seed: 1\nsearch:\n  cycles: 0\n\tworkers: 2\ndataset: {source: mnist\n';
    const { config, diagnostics } = parse(text);
    assert.equal(config, null);
    const yamlErrors = diagnostics.filter((d) => d.message.startsWith('YAML: '));
    assert.ok(yamlErrors.length >= 2, JSON.stringify(diagnostics));
    const tab = yamlErrors.find((d) => /tab/i.test(d.message));
    assert.ok(tab, 'the tab indentation is reported');
    assert.deepEqual([tab.range.start.line, tab.range.start.column], [3, 0]);
    assert.ok(yamlErrors.some((d) => /flow map/i.test(d.message) && d.range.start.line >= 4), 'the unclosed flow mapping is reported after it opens');
    assert.ok(diagnostics.every((d) => d.severity === 'error'));
    assert.equal(only(diagnostics, 'search.cycles').message, 'expected an integer >= 1, got 0');
  });

  it('gives a YAML error no setting and keeps its message on one line', () => {
    const yaml = parse('seed: 1\nsearch:\n  cycles: [1\n').diagnostics.filter((d) => d.message.startsWith('YAML: '));
    assert.ok(yaml.length > 0);
    for (const d of yaml) {
      assert.deepEqual(d.path, []);
      assert.ok(!d.message.includes('\n'), d.message);
    }
  });

  it('reports YAML warnings as warnings', () => {
    const { diagnostics } = parse('seed: !custom 1\n');
    assert.deepEqual(diagnostics.map((d) => [d.severity, d.message, d.range.start.column]), [
      ['warning', 'YAML: Unresolved tag: !custom', 6],
      ['error', 'expected an integer >= 0 and <= 4294967295, got "1"', 14],
    ]);
  });

  it('reads anchors used many times, and refuses a document that expands without bound', () => {
    const aliases = (n: number) => `x: &a [1]\nsearch:\n  cycles: 2\nname: n\nz: [${Array.from({ length: n }, () => '*a').join(', ')}]\n`;
    assert.deepEqual(parse(aliases(200)).diagnostics.map((d) => d.message.split(';')[0]), ['unknown setting "x"', 'unknown setting "z"']);
    const bomb = parse(aliases(2000));
    assert.equal(bomb.config, null);
    assert.deepEqual(bomb.diagnostics.map((d) => [d.path, d.severity, d.range.start.offset]), [[[], 'error', 0]]);
    assert.match(bomb.diagnostics[0].message, /^YAML: .*alias/i);
  });

  it('reports duplicate keys', () => {
    const { diagnostics } = parse('seed: 1\nseed: 2\n');
    assert.equal(diagnostics.length, 1);
    assert.match(diagnostics[0].message, /^YAML: .*unique/);
    assert.equal(diagnostics[0].range.start.line, 1);
  });

  it('rejects a document that is not a mapping', () => {
    const { config, diagnostics } = parse('- seed: 1\n');
    assert.equal(config, null);
    assert.equal(diagnostics.length, 1);
    assert.deepEqual(diagnostics[0].path, []);
    assert.match(diagnostics[0].message, /^expected a mapping of settings .*, got a list$/);
  });

  it('reports every problem of a file at once, in text order', () => {
    const text = 'preset: fast\nseed: -3\ndataset:\n  source: cifar10\n  testSplit: 2\ntraining:\n  l2: -1\nsearch:\n  cycels: 3\n';
    const { diagnostics } = parse(text);
    assert.deepEqual(
      diagnostics.map((d) => d.path.join('.')),
      ['preset', 'seed', 'dataset.path', 'dataset.testSplit', 'training.l2', 'search.cycels'],
    );
    const offsets = diagnostics.map((d) => d.range.start.offset);
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b));
  });

  it('accepts YAML number forms like 1e-3 and 2e7', () => {
    const { config, diagnostics } = parse('training:\n  learningRate: 1e-3\nsearch:\n  targetFlops: 2e7\n');
    assert.deepEqual(diagnostics, []);
    assert.equal(config!.training.learningRate, 0.001);
    assert.equal(config!.search.targetFlops, 20000000);
  });

  it('rejects a name that cannot name a file', () => {
    const d = only(parse('name: runs/first\n').diagnostics, 'name');
    assert.match(d.message, /^expected a name without "\/"/);
  });
});

describe('config parsing: warnings', () => {
  it('warns about settings without effect but still gives the config', () => {
    const text = 'dataset:\n  imageSize: 32\ntraining:\n  momentum: 0.5\n  stepEvery: 5\n';
    const { config, diagnostics } = parse(text);
    assert.ok(config);
    assert.ok(diagnostics.every((d) => d.severity === 'warning'));
    assert.deepEqual(diagnostics.map((d) => d.path.join('.')), ['dataset.imageSize', 'training.momentum', 'training.stepEvery']);
    assert.deepEqual(span(diagnostics[0]), [1, 2, 1, 11]);
    assert.match(diagnostics[1].message, /optimizer "adam"/);
  });

  it('does not warn when the setting is used', () => {
    const text = 'dataset:\n  source: image-folder\n  path: ./img\n  imageSize: 32\ntraining:\n  optimizer: sgd\n  momentum: 0.5\n  schedule: step\n  stepEvery: 5\n';
    assert.deepEqual(parse(text).diagnostics, []);
  });

  it('gives a wrong setting only its error', () => {
    const { diagnostics } = parse('training:\n  momentum: 2\n');
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0].severity, 'error');
  });
});

describe('formatDiagnostic', () => {
  it('prints file:line:col with 1-based numbers, the path, and the suggestion', () => {
    const { diagnostics } = parse('dataset:\n  validationSplt: 0.3\n  testSplit: -1\n');
    const lines = diagnostics.map((d) => formatDiagnostic(d, 'demo.resbuilder.yaml'));
    assert.deepEqual(lines, [
      'demo.resbuilder.yaml:2:3: error: dataset.validationSplt: unknown setting "validationSplt" in dataset (did you mean "validationSplit"?)',
      'demo.resbuilder.yaml:3:14: error: dataset.testSplit: expected a number >= 0 and < 1, got -1',
    ]);
  });
});
