import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCifar } from '../../../src/trainer/data/cifar';
import { loadDataset } from '../../../src/trainer/data/load';
import { CIFAR10_NORMALIZATION } from '../../../src/trainer/data/normalization';
import { cifarBytes, cifarPlanes, datasetConfig, expectDataError, pixel, tempDir } from './fixtures';

function writeCifar10(folder: string, perBatch = 2, testCount = 3): void {
  mkdirSync(folder, { recursive: true });
  let n = 0;
  for (let b = 1; b <= 5; b++) {
    const labels = Array.from({ length: perBatch }, (_, i) => [(n + i) % 10]);
    const start = n;
    writeFileSync(join(folder, `data_batch_${b}.bin`), cifarBytes(labels, (i) => cifarPlanes(start + i)));
    n += perBatch;
  }
  writeFileSync(join(folder, 'test_batch.bin'), cifarBytes(Array.from({ length: testCount }, (_, i) => [9 - i]), (i) => cifarPlanes(100 + i)));
}

describe('CIFAR binary batches', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  it('reads CIFAR-10 records into HWC images with their labels', async () => {
    writeCifar10(dir.path);
    const data = await loadCifar('cifar10', dir.path);
    assert.deepEqual([data.train.count, data.train.height, data.train.width, data.train.channels], [10, 32, 32, 3]);
    assert.deepEqual(Array.from(data.train.labels), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const [n, y, x, c] of [[0, 0, 0, 0], [3, 5, 7, 1], [9, 31, 30, 2], [6, 12, 0, 2]]) {
      assert.equal(data.train.images[((n * 32 + y) * 32 + x) * 3 + c], pixel(n, y, x, c), `image ${n} (${y},${x},${c})`);
    }
    assert.deepEqual(Array.from(data.test.labels), [9, 8, 7]);
    assert.equal(data.test.images[((2 * 32 + 4) * 32 + 9) * 3 + 1], pixel(102, 4, 9, 1));
    assert.equal(data.classNames[0], 'airplane');
  });

  it('finds the folder the official archive extracts to, and uses CIFAR-10 statistics with auto', async () => {
    writeCifar10(join(dir.path, 'cifar-10-batches-bin'));
    const dataset = await loadDataset(datasetConfig({ source: 'cifar10', path: dir.path, validationSplit: 0.2 }), { configDir: '/', seed: 3 });
    assert.deepEqual([dataset.info.trainSize, dataset.info.validationSize, dataset.info.testSize], [8, 2, 3]);
    assert.deepEqual(dataset.normalization, CIFAR10_NORMALIZATION);
    assert.equal(dataset.info.numClasses, 10);
    // Memory: one byte per value, and the validation split does not copy the training images.
    assert.equal(dataset.train.images.byteLength, 8 * 3072);
    assert.equal(dataset.train.images.buffer.byteLength, 10 * 3072);
    assert.equal(dataset.validation.images.buffer.byteLength, 2 * 3072);
  });

  it('reads CIFAR-100 fine labels and normalises with train statistics under auto', async () => {
    const folder = join(dir.path, 'cifar-100-binary');
    mkdirSync(folder);
    writeFileSync(join(folder, 'train.bin'), cifarBytes([[1, 99], [2, 42], [3, 99], [4, 42]], cifarPlanes));
    writeFileSync(join(folder, 'test.bin'), cifarBytes([[5, 7]], (i) => cifarPlanes(50 + i)));
    const dataset = await loadDataset(datasetConfig({ source: 'cifar100', path: dir.path, validationSplit: 0 }), { configDir: '/', seed: 3 });
    assert.deepEqual(Array.from(dataset.train.labels), [99, 42, 99, 42]);
    assert.deepEqual(Array.from(dataset.test.labels), [7]);
    assert.equal(dataset.info.numClasses, 100);
    assert.equal(dataset.info.classNames?.[99], 'worm');
    // Statistics of the train split, computed directly.
    for (let c = 0; c < 3; c++) {
      const values: number[] = [];
      for (let i = c; i < dataset.train.images.length; i += 3) values.push(dataset.train.images[i]);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
      assert.ok(Math.abs(dataset.normalization.mean[c] - mean) < 1e-9);
      assert.ok(Math.abs(dataset.normalization.std[c] - std) < 1e-9);
    }
  });

  it('names a missing batch file and says where to download and extract the binary version', async () => {
    writeCifar10(dir.path);
    rmSync(join(dir.path, 'data_batch_4.bin'));
    const error = await expectDataError(loadCifar('cifar10', dir.path), /data_batch_4.bin: file not found/);
    assert.match(error.message, /cifar-10-binary\.tar\.gz.*https:\/\/www\.cs\.toronto\.edu\/~kriz\/cifar\.html.*extract it into/);
    assert.equal(error.file, join(dir.path, 'data_batch_4.bin'));
    await expectDataError(loadCifar('cifar100', join(dir.path, 'missing')), /missing: folder not found.*cifar-100-binary\.tar\.gz/);
  });

  it('rejects a file that is not a whole number of records', async () => {
    writeCifar10(dir.path);
    writeFileSync(join(dir.path, 'test_batch.bin'), Buffer.alloc(3073 * 2 + 100));
    await expectDataError(loadCifar('cifar10', dir.path), /test_batch.bin: is truncated or not a CIFAR-10 binary batch: 6246 bytes is not a whole number of 3073-byte records/);
  });

  it('rejects labels out of range (a CIFAR-100 file given as CIFAR-10)', async () => {
    writeCifar10(dir.path);
    writeFileSync(join(dir.path, 'data_batch_2.bin'), cifarBytes([[3], [17]], cifarPlanes));
    await expectDataError(loadCifar('cifar10', dir.path), /data_batch_2.bin: record 1 has label 17, but CIFAR-10 labels are 0–9/);
  });
});
