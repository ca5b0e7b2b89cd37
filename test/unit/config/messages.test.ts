/**
 * The words of config problems, case by case: how a found value is named, what was expected for
 * each kind of violation, where a misplaced key belongs, which settings have no effect with which
 * options, and what a sweep's grid may vary.
 */
import { strict as assert } from 'node:assert';
import { ConfigError, describeDiagnostic, parseConfigText, type ConfigDiagnostic } from '../../../src/core/config';
import { suggestionInMessage } from '../../../src/core/config/diagnostics';
import { describeValue } from '../../../src/core/config/describe-value';
import { sweepKeyProblem, sweepProblems, sweepValueProblems } from '../../../src/core/config/sweep-checks';

function diagnostics(text: string): ConfigDiagnostic[] {
  return parseConfigText(text, '/w/c.resbuilder.yaml').diagnostics;
}

/** `path: message` of every diagnostic. */
function messages(text: string): string[] {
  return diagnostics(text).map((d) => `${d.path.join('.')}: ${d.message}`);
}

describe('config messages: the value found', () => {
  it('names nothing, strings (shortened past 40 characters), numbers, booleans, lists and mappings', () => {
    assert.equal(describeValue(null), 'nothing (null)');
    assert.equal(describeValue(undefined), 'nothing (null)');
    assert.equal(describeValue('x'.repeat(40)), `"${'x'.repeat(40)}"`);
    assert.equal(describeValue('x'.repeat(41)), `"${'x'.repeat(37)}..."`);
    assert.equal(describeValue(1.5), '1.5');
    assert.equal(describeValue(false), 'false');
    assert.equal(describeValue([1]), 'a list');
    assert.equal(describeValue([]), 'an empty list');
    assert.equal(describeValue({ a: 1 }), 'a mapping');
    assert.equal(describeValue(10n), 'bigint');
  });
});

describe('config messages: what was expected', () => {
  it('lists allowed numbers unquoted and allowed words quoted', () => {
    assert.deepEqual(messages('dataset:\n  source: image-folder\n  path: ./img\n  channels: 2\n'), ['dataset.channels: expected one of 1, 3, got 2']);
    assert.deepEqual(messages('mode: x\n'), ['mode: expected one of "search", "train", got "x"']);
  });

  it('asks for a non-empty string where one is empty', () => {
    assert.deepEqual(messages('dataset:\n  source: idx\n  path: ""\n'), ['dataset.path: expected a non-empty string, got ""']);
  });

  it('asks for a non-empty list where one is empty', () => {
    assert.deepEqual(messages('sweep:\n  seeds: []\n'), ['sweep.seeds: expected a non-empty list, got an empty list']);
  });

  it('names an unknown key with its section, or the top level\'s settings when nothing is close', () => {
    assert.deepEqual(messages('foo: 1\n'), ['foo: unknown setting "foo"; the settings here are: name, mode, preset, seed, backend, workers, dataset, architecture, training, search, outputs, sweep']);
    const [d] = diagnostics('search:\n  batch_size: 4\n');
    assert.deepEqual({ message: d.message, suggestion: d.suggestion }, { message: 'unknown setting "batch_size" in search', suggestion: 'training.batchSize' });
  });

  it('suggests a built-in start only for a misspelled start, and only for text', () => {
    assert.equal(diagnostics('architecture:\n  start: resnet-18\n')[0].suggestion, 'resnet18');
    const [number] = diagnostics('architecture:\n  start: 5\n');
    assert.ok(!('suggestion' in number), JSON.stringify(number));
    assert.equal(diagnostics('architecture:\n  start: empt\n')[0].suggestion, 'empty');
    assert.equal(diagnostics('architecture:\n  start: resnet-20\n')[0].suggestion, 'resnet20');
    const [elsewhere] = diagnostics('training:\n  batchSize: resnet-18\n');
    assert.ok(!('suggestion' in elsewhere), JSON.stringify(elsewhere));
    const [notText] = diagnostics('dataset:\n  source: image-folder\n  path: ./img\n  channels: "x"\n');
    assert.ok(!('suggestion' in notText), JSON.stringify(notText));
  });

  it('gives a problem without a suggestion no suggestion key', () => {
    for (const problem of [...sweepValueProblems('training.batchSize', 0), ...sweepValueProblems('training.zzzzzz', 1)]) {
      assert.ok(!('suggestion' in problem), JSON.stringify(problem));
    }
  });

  it('leaves out the suggestion where there is none', () => {
    for (const text of ['seed: x\n', 'foo: 1\n', 'dataset:\n  source: cifar10\n', 'training:\n  momentum: 0.5\n']) {
      for (const d of diagnostics(text)) assert.ok(!('suggestion' in d), JSON.stringify(d));
    }
  });

  it('reads a section left empty as nothing, without failing on the settings under it', () => {
    assert.deepEqual(messages('dataset:\ntraining:\n'), [
      'dataset: expected a mapping of settings (`key: value` lines), got nothing (null)',
      'training: expected a mapping of settings (`key: value` lines), got nothing (null)',
    ]);
  });
});

describe('config messages: settings without effect', () => {
  it('names the source that makes imageSize and channels useless', () => {
    for (const source of ['mnist', 'fashion-mnist', 'idx', 'cifar10', 'cifar100']) {
      const text = `dataset:\n  source: ${source}\n  path: ./data\n  imageSize: 32\n  channels: 3\n`;
      const because = `has no effect with source "${source}" (only "image-folder" resizes and converts images)`;
      assert.deepEqual(messages(text), [`dataset.imageSize: ${because}`, `dataset.channels: ${because}`], source);
    }
  });

  it('takes the default optimizer when the one written is not a word', () => {
    assert.deepEqual(messages('training:\n  optimizer: 5\n  momentum: 0.5\n')[1], 'training.momentum: has no effect with optimizer "adam" (only "sgd" uses it)');
  });

  it('takes the default source when the one written is wrong (its error is reported on its own)', () => {
    assert.deepEqual(messages('dataset:\n  source: imagefolder\n  imageSize: 32\n'), [
      'dataset.source: expected one of "mnist", "fashion-mnist", "idx", "cifar10", "cifar100", "image-folder", got "imagefolder"',
      'dataset.imageSize: has no effect with source "mnist" (only "image-folder" resizes and converts images)',
    ]);
  });

  it('names the schedule that makes stepEvery and stepFactor useless', () => {
    for (const schedule of ['constant', 'cosine']) {
      const because = `has no effect with schedule "${schedule}" (only "step" uses it)`;
      assert.deepEqual(messages(`training:\n  schedule: ${schedule}\n  stepEvery: 3\n  stepFactor: 0.5\n`), [`training.stepEvery: ${because}`, `training.stepFactor: ${because}`]);
    }
    assert.deepEqual(messages('training:\n  optimizer: adam\n  momentum: 0.5\n'), ['training.momentum: has no effect with optimizer "adam" (only "sgd" uses it)']);
  });

  it('says when a source that reads files has its path set to null', () => {
    assert.deepEqual(messages('dataset:\n  source: cifar10\n  path: null\n'), ['dataset.path: expected the folder of the cifar10 files (source "cifar10" reads them from `path`), got null']);
  });

  it('lets a search without validation images gate on the test set', () => {
    assert.deepEqual(messages('dataset:\n  validationSplit: 0\nsearch:\n  gateAccuracy: test\n'), []);
    assert.deepEqual(messages('dataset:\n  validationSplit: 0\nsearch:\n  gateAccuracy: validation\n').map((m) => m.split(':')[0]), ['dataset.validationSplit']);
    // The paper preset gates on the test set, but a gate on validation written over it counts.
    assert.deepEqual(messages('preset: paper\ndataset:\n  validationSplit: 0\nsearch:\n  gateAccuracy: validation\n').map((m) => m.split(':')[0]), ['dataset.validationSplit']);
    assert.deepEqual(messages('preset: paper\ndataset:\n  validationSplit: 0\n'), []);
  });
});

describe('config messages: diagnostics', () => {
  it('puts the setting before the message, and nothing before a YAML error', () => {
    const range = { start: { line: 0, column: 0, offset: 0 }, end: { line: 0, column: 1, offset: 1 } };
    assert.equal(describeDiagnostic({ message: 'YAML: bad', path: [], severity: 'error', range }), 'YAML: bad');
    assert.equal(describeDiagnostic({ message: 'expected x', path: ['layers', 2, 'width'], severity: 'error', range, suggestion: 'w' }), 'layers[2].width: expected x (did you mean "w"?)');
  });

  it('finds the suggestion only at the end of a message', () => {
    assert.equal(suggestionInMessage('a: unknown (did you mean "b"?)'), 'b');
    assert.equal(suggestionInMessage('a: unknown (did you mean "b"?) and more'), undefined);
  });

  it('throws ConfigError by its name', () => {
    assert.equal(new ConfigError('f', []).name, 'ConfigError');
  });
});

describe('config messages: sweep grid', () => {
  const grid = (entries: string) => sweepProblems({ sweep: { grid: JSON.parse(entries) as unknown } }).map((p) => `${p.path.join('.')}: ${p.message}${p.suggestion ? ` [${p.suggestion}]` : ''}`);

  it('refuses the name and the outputs, which every task shares', () => {
    assert.deepEqual(sweepKeyProblem('name'), { message: '"name" cannot vary within a sweep: every task writes into the sweep\'s own folder' });
    assert.deepEqual(sweepKeyProblem('outputs.runsDir'), { message: '"outputs.runsDir" cannot vary within a sweep: every task writes into the sweep\'s own folder' });
  });

  it('names the first setting of a section given as a key', () => {
    assert.deepEqual(sweepKeyProblem('training'), { message: '"training" is a section; name one of its settings, e.g. "training.optimizer"' });
  });

  it('says how to name a setting when nothing is close, and suggests one when something is', () => {
    assert.deepEqual(sweepKeyProblem('zzzz'), { message: 'unknown setting "zzzz"; name a setting by its dotted path, e.g. "search.targetFlops"' });
    assert.deepEqual(sweepKeyProblem('training.batchSiz'), { message: 'unknown setting "training.batchSiz"', suggestion: 'training.batchSize' });
    assert.deepEqual(grid('{"zzzz": [1]}'), ['sweep.grid.zzzz: unknown setting "zzzz"; name a setting by its dotted path, e.g. "search.targetFlops"']);
    assert.ok(!('suggestion' in sweepProblems({ sweep: { grid: { zzzz: [1] } } })[0]));
  });

  it('checks each value of a list and refuses a value listed twice; a grid that is not a mapping is the schema\'s error', () => {
    assert.deepEqual(grid('{"training.batchSize": [8, 0, 8]}'), [
      'sweep.grid.training.batchSize.1: training.batchSize: expected an integer >= 1 and <= 65536, got 0',
      'sweep.grid.training.batchSize.2: training.batchSize: the value 8 is listed twice',
    ]);
    assert.deepEqual(sweepProblems({ sweep: { grid: { 'training.batchSize': [8, 8] } } }).map((p) => p.severity), ['error']);
    assert.deepEqual(grid('{"training.batchSize": 8}'), []);
    assert.deepEqual(sweepProblems({ sweep: { grid: [1] } }), []);
    assert.deepEqual(sweepProblems({ sweep: { grid: null } }), []);
  });

  it('checks a value of a setting two sections deep', () => {
    assert.deepEqual(grid('{"dataset.augmentation.shift": [-1]}').map((m) => m.replace(/expected .*, got/, 'expected …, got')), ['sweep.grid.dataset.augmentation.shift.0: dataset.augmentation.shift: expected …, got -1']);
  });
});
