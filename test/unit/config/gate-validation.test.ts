import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfigFile } from '../../../src/core/config';

describe('the momentum gate keeps the test set out of the search', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'resbuilder-gate-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const load = (name: string, text: string) => {
    const file = path.join(dir, `${name}.resbuilder.yaml`);
    writeFileSync(file, text);
    return { file, config: loadConfigFile(file) };
  };

  it('gates on validation accuracy by default and on test accuracy with the paper preset', async () => {
    assert.equal((await load('default', 'preset: quick\n').config).search.gateAccuracy, 'validation');
    assert.equal((await load('paper', 'preset: paper\n').config).search.gateAccuracy, 'test');
  });

  it('rejects a validation gate without validation images, at the split, saying both ways out', async () => {
    const { file, config } = load('nosplit', 'preset: quick\ndataset:\n  validationSplit: 0\n');
    await assert.rejects(config, (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:20: error: dataset.validationSplit: expected a share`));
      assert.match(error.message, /gateAccuracy: test/);
      return true;
    });
  });

  it('accepts no validation split where nothing gates on it', async () => {
    for (const [name, text] of [
      ['test-gate', 'dataset:\n  validationSplit: 0\nsearch:\n  gateAccuracy: test\n'],
      ['paper', 'preset: paper\ndataset:\n  validationSplit: 0\n'],
      ['no-gate', 'dataset:\n  validationSplit: 0\nsearch:\n  momentumGate: false\n'],
      ['train', 'mode: train\ndataset:\n  validationSplit: 0\n'],
    ]) {
      const config = await load(name, text).config;
      assert.equal(config.dataset.validationSplit, 0, name);
    }
  });
});
