import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../../src/trainer/model/build';
import { exportModel, loadExportedModel } from '../../../src/trainer/model/export';
import type { Architecture } from '../../../src/core/arch/types';
import { arch, conv, maxAbsDiff, predict, randomizeWeights, size, useCpuBackend } from './helpers';

const run = promisify(execFile);

/** Reference style with both channel paddings and a projection, plus a hidden dense layer. */
function net(): Architecture {
  return arch(
    'reference',
    [
      conv('stem', 4),
      conv('a.conv1', 2, 2),
      conv('a.conv2', 3),
      conv('b.conv1', 6),
      { kind: 'pool', id: 'avgpool', pool: 'avg', size: 2, stride: 2 },
      { kind: 'dense', id: 'fc', units: 5 },
    ],
    [
      { id: 'a', from: 'a.conv1', to: 'a.conv2' },
      { id: 'b', from: 'b.conv1', to: 'b.conv1' },
    ],
  );
}

describe('model export', () => {
  useCpuBackend();
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'resbuilder-export-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes model.json + weights.bin that plain tfjs in another process loads with equal predictions', async () => {
    for (const style of ['reference', 'standard'] as const) {
      const a = { ...net(), blockStyle: style };
      const model = buildModel(a, { seed: 9 });
      randomizeWeights(model, 21);
      const out = join(dir, style);
      const written = await exportModel(model, out);
      const json = JSON.parse(await readFile(written.modelJsonPath, 'utf8')) as { format: string; weightsManifest: { paths: string[] }[] };
      assert.equal(json.format, 'layers-model');
      assert.deepEqual(json.weightsManifest[0].paths, ['./weights.bin']);
      assert.equal(written.weightBytes, model.weights.reduce((s, w) => s + 4 * size(w), 0));

      const x = tf.randomNormal([3, 16, 16, 1], 0, 1, 'float32', 5);
      const expected = predict(model, x);
      const inputFile = join(dir, `${style}-input.json`);
      const outputFile = join(dir, `${style}-output.json`);
      await writeFile(inputFile, JSON.stringify({ shape: x.shape, data: Array.from(x.dataSync()) }));
      await run(process.execPath, [join(__dirname, 'fixtures', 'predict-exported.cjs'), out, inputFile, outputFile], { cwd: join(__dirname, '..', '..', '..') });
      const result = JSON.parse(await readFile(outputFile, 'utf8')) as { shape: number[]; data: number[] };
      assert.deepEqual(result.shape, [3, 3]);
      assert.ok(maxAbsDiff(result.data, expected) <= 1e-5, `max abs diff ${maxAbsDiff(result.data, expected)}`);

      const reloaded = await loadExportedModel(out);
      assert.ok(maxAbsDiff(predict(reloaded, x), expected) <= 1e-6);
      reloaded.dispose();
      model.dispose();
      x.dispose();
    }
  });

  it('creates missing parent folders and overwrites an earlier export', async () => {
    const a = net();
    const out = join(dir, 'nested', 'deeper');
    const first = buildModel(a, { seed: 1 });
    await exportModel(first, out);
    const second = buildModel(a, { seed: 2 });
    randomizeWeights(second, 7);
    await exportModel(second, out);
    const x = tf.randomNormal([2, 16, 16, 1], 0, 1, 'float32', 3);
    const reloaded = await loadExportedModel(out);
    assert.ok(maxAbsDiff(predict(reloaded, x), predict(second, x)) <= 1e-6);
    for (const m of [first, second, reloaded]) m.dispose();
    x.dispose();
  });
});
