import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadIdxFolder, parseIdx } from '../../../src/trainer/data/idx';
import { loadDataset } from '../../../src/trainer/data/load';
import { datasetConfig, expectDataError as dataError, idxBytes, pixel, syntheticImages, tempDir } from './fixtures';

/** Writes a 4-file IDX dataset of h×w images: train labels `trainLabels`, test labels `testLabels`. */
function writeIdx(folder: string, prefix: string, trainLabels: number[], testLabels: number[], h = 3, w = 5, gz = false): void {
  const write = (name: string, bytes: Buffer): void => writeFileSync(join(folder, prefix + name + (gz ? '.gz' : '')), gz ? gzipSync(bytes) : bytes);
  write('train-images-idx3-ubyte', idxBytes([trainLabels.length, h, w], syntheticImages(trainLabels.length, h, w, 1)));
  write('train-labels-idx1-ubyte', idxBytes([trainLabels.length], trainLabels));
  write('t10k-images-idx3-ubyte', idxBytes([testLabels.length, h, w], syntheticImages(testLabels.length, h, w, 1).map((v) => 255 - v)));
  write('t10k-labels-idx1-ubyte', idxBytes([testLabels.length], testLabels));
}

describe('IDX files', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  it('reads the images and labels of both splits, byte for byte', async () => {
    writeIdx(dir.path, '', [0, 1, 2, 1], [2, 0]);
    const data = await loadIdxFolder(dir.path);
    assert.deepEqual([data.train.count, data.train.height, data.train.width, data.train.channels], [4, 3, 5, 1]);
    assert.deepEqual(Array.from(data.train.labels), [0, 1, 2, 1]);
    assert.equal(data.train.images[(2 * 3 + 1) * 5 + 4], pixel(2, 1, 4, 0));
    assert.deepEqual(Array.from(data.test.labels), [2, 0]);
    assert.equal(data.test.images[5 * 3 + 2], 255 - pixel(1, 0, 2, 0));
  });

  it('reads gzipped files and EMNIST names, with the class names of the mapping file', async () => {
    writeIdx(dir.path, 'emnist-byclass-', [0, 1, 2, 3], [3, 2], 3, 5, true);
    writeFileSync(join(dir.path, 'emnist-byclass-mapping.txt'), '0 48\n1 49\n2 65\n3 97\n');
    // Another split in the same folder: byclass is the one the spec uses.
    writeIdx(dir.path, 'emnist-letters-', [1, 2], [1], 3, 5);
    const dataset = await loadDataset(datasetConfig({ source: 'idx', path: dir.path, validationSplit: 0 }), { configDir: '/', seed: 1 });
    assert.equal(dataset.info.name, 'EMNIST byclass');
    assert.equal(dataset.info.numClasses, 4);
    assert.deepEqual(dataset.info.classNames, ['0', '1', 'A', 'a']);
    assert.deepEqual([dataset.info.trainSize, dataset.info.testSize], [4, 2]);
    assert.deepEqual(dataset.normalization, { mean: [0], std: [1] }, 'the MNIST family is not normalised');
  });

  it('takes the number of classes from the labels and resolves the path against the config folder', async () => {
    writeIdx(dir.path, '', [0, 5, 9, 61, 3], [7]);
    const dataset = await loadDataset(datasetConfig({ source: 'idx', path: '.', validationSplit: 0 }), { configDir: dir.path, seed: 1 });
    assert.equal(dataset.info.numClasses, 62);
    assert.deepEqual(dataset.info.inputShape, [3, 5, 1]);
  });

  it('names a missing folder and a missing file, and says where to get the data', async () => {
    const missing = join(dir.path, 'nope');
    const e = await dataError(loadIdxFolder(missing), /nope: folder not found/);
    assert.equal(e.file, missing);
    assert.match(e.hint ?? '', /train-images-idx3-ubyte/);
    writeIdx(dir.path, '', [0, 1], [1, 0]);
    rmSync(join(dir.path, 't10k-labels-idx1-ubyte'));
    await dataError(loadIdxFolder(dir.path), /t10k-labels-idx1-ubyte: file not found/);
  });

  it('rejects a folder without IDX files and a missing dataset.path', async () => {
    writeFileSync(join(dir.path, 'readme.txt'), 'hello');
    await dataError(loadIdxFolder(dir.path), /holds no IDX training images/);
    await dataError(loadDataset(datasetConfig({ source: 'idx', path: null }), { configDir: dir.path, seed: 1 }), /dataset.path: is required for dataset.source 'idx'/);
  });

  it('rejects a wrong magic number', async () => {
    writeIdx(dir.path, '', [0, 1], [1, 0]);
    writeFileSync(join(dir.path, 'train-labels-idx1-ubyte'), idxBytes([2], [0, 1], 0x00000803));
    await dataError(loadIdxFolder(dir.path), /train-labels-idx1-ubyte: wrong magic number 0x00000803; expected an IDX label file/);
    assert.throws(() => parseIdx(Buffer.from('PK\x03\x04zipfile'), 'x.zip', 3), /x.zip: wrong magic number 0x504b0304/);
  });

  it('rejects a truncated file and one with extra bytes', async () => {
    writeIdx(dir.path, '', [0, 1, 1], [1, 0]);
    const full = idxBytes([3, 3, 5], syntheticImages(3, 3, 5, 1));
    writeFileSync(join(dir.path, 'train-images-idx3-ubyte'), full.subarray(0, full.length - 7));
    await dataError(loadIdxFolder(dir.path), /train-images-idx3-ubyte: is truncated: 54 bytes, but its header announces 3×3×5 values \(61 bytes\)/);
    writeFileSync(join(dir.path, 'train-images-idx3-ubyte'), Buffer.concat([full, Buffer.alloc(3)]));
    await dataError(loadIdxFolder(dir.path), /has 3 bytes more than its header announces/);
    writeFileSync(join(dir.path, 'train-images-idx3-ubyte'), full.subarray(0, 10));
    await dataError(loadIdxFolder(dir.path), /shorter than its 16-byte header/);
  });

  it('rejects a corrupt gzip file', async () => {
    writeIdx(dir.path, '', [0, 1], [1, 0], 3, 5, true);
    const gz = gzipSync(idxBytes([2], [0, 1]));
    writeFileSync(join(dir.path, 'train-labels-idx1-ubyte.gz'), gz.subarray(0, gz.length - 6));
    await dataError(loadIdxFolder(dir.path), /train-labels-idx1-ubyte.gz: is not a valid gzip file/);
  });

  it('rejects image and label counts that differ', async () => {
    writeIdx(dir.path, '', [0, 1, 1], [1, 0]);
    writeFileSync(join(dir.path, 'train-labels-idx1-ubyte'), idxBytes([2], [0, 1]));
    await dataError(loadIdxFolder(dir.path), /train-images-idx3-ubyte: holds 3 images but .*train-labels-idx1-ubyte holds 2 labels/);
  });

  it('rejects labels with fewer than two classes', async () => {
    writeIdx(dir.path, '', [0, 0, 0], [0]);
    await dataError(loadDataset(datasetConfig({ source: 'idx', path: dir.path }), { configDir: '/', seed: 1 }), /train-labels-idx1-ubyte: all labels are 0/);
  });
});
