/**
 * `workers: auto`, the default: wasm training on 2 worker threads where the machine has two or
 * more cores, on the training thread alone where it has one; a number is taken as it is.
 */
import { strict as assert } from 'node:assert';
import { parseConfigText } from '../../../src/core/config';
import { resolveWorkers } from '../../../src/trainer/parallel/run-stepper';

function parsed(text: string): ReturnType<typeof parseConfigText> {
  return parseConfigText(text, '/work/exp/demo.resbuilder.yaml');
}

describe('workers: auto', () => {
  it('is the default of a config that does not say', () => {
    assert.equal(parsed('').config?.workers, 'auto');
    assert.equal(parsed('workers: auto\n').config?.workers, 'auto');
    assert.equal(parsed('workers: 1\n').config?.workers, 1);
  });

  it('means 2 workers from two cores up and 1 on a single core', () => {
    assert.equal(resolveWorkers('auto', 1), 1);
    assert.equal(resolveWorkers('auto', 2), 2);
    assert.equal(resolveWorkers('auto', 16), 2);
  });

  it('leaves a number as it is', () => {
    assert.equal(resolveWorkers(1, 16), 1);
    assert.equal(resolveWorkers(3, 2), 3);
  });

  it('rejects other words and counts out of range, naming the field', () => {
    const cases: Array<[string, RegExp]> = [
      ['workers: many\n', /expected "auto" or a whole number from 1 to 64, got "many"/],
      ['workers: 2.5\n', /expected "auto" or a whole number from 1 to 64, got 2\.5/],
      ['workers: 0\n', /1 and <= 64, got 0/],
      ['workers: 65\n', /1 and <= 64, got 65/],
    ];
    for (const [text, message] of cases) {
      const { config, diagnostics } = parsed(text);
      assert.equal(config, null, text);
      assert.equal(diagnostics.length, 1, text);
      assert.deepEqual(diagnostics[0].path, ['workers']);
      assert.match(diagnostics[0].message, message);
    }
  });
});
