import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseConfigText } from '../../../src/core/config';

const EXAMPLES = path.resolve(__dirname, '../../../examples');

function example(name: string) {
  const file = path.join(EXAMPLES, name);
  return parseConfigText(readFileSync(file, 'utf8'), file);
}

describe('example configs', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.resbuilder.yaml'));

  it('include the documented examples', () => {
    for (const name of ['mnist-quick', 'fashion-mnist', 'cifar10', 'animals10', 'continue-from-arch']) {
      assert.ok(files.includes(`${name}.resbuilder.yaml`), name);
    }
  });

  for (const file of files) {
    it(`${file} parses without errors or warnings`, () => {
      const { config, diagnostics } = example(file);
      assert.deepEqual(diagnostics, []);
      assert.ok(config);
      assert.equal(config.name, file.replace('.resbuilder.yaml', ''));
    });
  }

  it('set up what their comments promise', () => {
    const quick = example('mnist-quick.resbuilder.yaml').config!;
    assert.deepEqual([quick.preset, quick.dataset.source], ['quick', 'mnist']);
    const cifar = example('cifar10.resbuilder.yaml').config!;
    assert.deepEqual([cifar.preset, cifar.dataset.source], ['paper', 'cifar10']);
    assert.equal(cifar.dataset.path, path.join(EXAMPLES, 'data', 'cifar-10-batches-bin'));
    const animals = example('animals10.resbuilder.yaml').config!;
    assert.deepEqual([animals.dataset.source, animals.dataset.imageSize, animals.training.batchSize], ['image-folder', 64, 16]);
    const next = example('continue-from-arch.resbuilder.yaml').config!;
    assert.equal(next.architecture.start, path.join(EXAMPLES, 'mnist-quick.arch.json'));
    assert.equal(next.architecture.start, quick.outputs.archFile, 'continues from what the demo writes');
  });
});
