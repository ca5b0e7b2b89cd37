import * as assert from 'node:assert/strict';
import { parseConfigText } from '../../../src/core/config/parse';
import { freeConfigName, quickPresetTemplate } from '../../../src/extension/config/templates';

describe('extension config template', () => {
  it('is a valid quick-preset search config on the built-in digits', () => {
    const parsed = parseConfigText(quickPresetTemplate({ backend: 'auto' }), '/w/experiment.resbuilder.yaml');
    assert.deepEqual(parsed.diagnostics, []);
    assert.equal(parsed.config?.mode, 'search');
    assert.equal(parsed.config?.preset, 'quick');
    assert.equal(parsed.config?.dataset.source, 'mnist');
  });

  it('writes the default backend setting into the config', () => {
    const parsed = parseConfigText(quickPresetTemplate({ backend: 'wasm' }), '/w/experiment.resbuilder.yaml');
    assert.equal(parsed.config?.backend, 'wasm');
  });

  it('picks a file name that is not taken', () => {
    assert.equal(freeConfigName(new Set()), 'experiment.resbuilder.yaml');
    assert.equal(freeConfigName(new Set(['experiment.resbuilder.yaml', 'experiment-2.resbuilder.yaml'])), 'experiment-3.resbuilder.yaml');
  });
});
