import * as assert from 'node:assert/strict';
import { lensLine } from '../../../src/extension/codelens/lensModel';
import { parseConfigText } from '../../../src/core/config/parse';
import { freeConfigName, quickPresetTemplate } from '../../../src/extension/config/templates';

const FILE = '/w/experiment.resbuilder.yaml';

describe('extension config template', () => {
  it('resolves to exactly what a bare `preset: quick` config resolves to (the trainer\'s defaults)', () => {
    const parsed = parseConfigText(quickPresetTemplate({ backend: 'auto' }), FILE);
    assert.deepEqual(parsed.diagnostics, []);
    const bare = parseConfigText('preset: quick\n', FILE);
    assert.deepEqual(parsed.config, bare.config);
    assert.equal(parsed.config?.architecture.blockStyle, 'standard');
    assert.equal(parsed.config?.dataset.limit, null);
  });

  it('writes out the values it explains, not just comments', () => {
    const text = quickPresetTemplate({ backend: 'auto' });
    for (const key of ['mode: search', 'preset: quick', 'blockStyle: standard', 'source: mnist', 'targetFlops: 2e+7']) {
      assert.ok(text.includes(key), `the template lacks "${key}"`);
    }
    assert.doesNotMatch(text, /^\s*limit:/m, 'a limit on the training images is only offered as a comment');
  });

  it('says where the Run search lens is: the lens sits on the first setting, named by the comment', () => {
    const text = quickPresetTemplate({ backend: 'auto' });
    const lines = text.split('\n');
    const lens = lensLine(text);
    assert.match(lines[lens], /^mode:/);
    assert.match(text, /"Run search" sits just above the first setting below \(mode:\)/);
    assert.doesNotMatch(text, /above this line/);
  });

  it('writes the default backend setting into the config', () => {
    const parsed = parseConfigText(quickPresetTemplate({ backend: 'wasm' }), FILE);
    assert.equal(parsed.config?.backend, 'wasm');
  });

  it('picks a file name that is not taken', () => {
    assert.equal(freeConfigName(new Set()), 'experiment.resbuilder.yaml');
    assert.equal(freeConfigName(new Set(['experiment.resbuilder.yaml', 'experiment-2.resbuilder.yaml'])), 'experiment-3.resbuilder.yaml');
  });
});
