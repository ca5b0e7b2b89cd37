import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { decodeImage, loadImageFolder } from '../../../src/trainer/data/imageFolder';
import { decodeImageFolderInChild, DECODE_FLAG } from '../../../src/trainer/data/image-folder-process';
import { loadDataset } from '../../../src/trainer/data/load';
import { datasetConfig, expectDataError, tempDir } from './fixtures';

async function solid(file: string, rgb: [number, number, number], size: [number, number] = [6, 5], alpha = false): Promise<void> {
  const channels = alpha ? 4 : 3;
  const background = alpha ? { r: rgb[0], g: rgb[1], b: rgb[2], alpha: 0.5 } : { r: rgb[0], g: rgb[1], b: rgb[2] };
  const image = sharp({ create: { width: size[0], height: size[1], channels, background } });
  await (file.endsWith('.jpg') ? image.jpeg({ quality: 100 }) : file.endsWith('.webp') ? image.webp({ lossless: true }) : image.png()).toFile(file);
}

/** classes: bird (2 images), cat (3), dog (5), plus a non-image file that is ignored. */
async function writeAnimals(root: string): Promise<void> {
  const colours: Record<string, [number, number, number]> = { bird: [200, 20, 20], cat: [20, 200, 20], dog: [20, 20, 200] };
  const counts: Record<string, number> = { bird: 2, cat: 3, dog: 5 };
  for (const name of ['dog', 'cat', 'bird']) {
    mkdirSync(join(root, name), { recursive: true });
    for (let i = 0; i < counts[name]; i++) await solid(join(root, name, `${i}.${['png', 'jpg', 'webp'][i % 3]}`), colours[name]);
  }
  writeFileSync(join(root, 'cat', 'notes.txt'), 'not an image');
}

describe('image folders', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  it('reads one class per sub-folder (sorted), resizes, and reports progress', async () => {
    await writeAnimals(dir.path);
    const messages: string[] = [];
    const data = await loadImageFolder(dir.path, { imageSize: 4, channels: 3, onProgress: (m) => messages.push(m), concurrency: 3 });
    assert.deepEqual(data.classNames, ['bird', 'cat', 'dog']);
    assert.equal(data.set.count, 10);
    assert.deepEqual(Array.from(data.set.labels), [0, 0, 1, 1, 1, 2, 2, 2, 2, 2]);
    assert.deepEqual([data.set.height, data.set.width, data.set.channels], [4, 4, 3]);
    const expected = [[200, 20, 20], [20, 200, 20], [20, 20, 200]];
    for (let n = 0; n < data.set.count; n++) {
      for (let p = 0; p < 16; p++) {
        for (let c = 0; c < 3; c++) {
          const v = data.set.images[(n * 16 + p) * 3 + c];
          assert.ok(Math.abs(v - expected[data.set.labels[n]][c]) <= 3, `image ${n} pixel ${p} channel ${c}: ${v}`);
        }
      }
    }
    assert.ok(messages.some((m) => /Decoding 10 images in 3 classes/.test(m)));
    assert.equal(messages.at(-1), 'Decoding images: 10/10');
  });

  it('stretches the whole picture to the square and converts to the requested channels', async () => {
    // 16×8: the left quarter black, the rest white. Stretching keeps the black quarter; a centre crop would not.
    const raw = Buffer.alloc(16 * 8 * 3, 255);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 4; x++) raw.fill(0, (y * 16 + x) * 3, (y * 16 + x) * 3 + 3);
    const file = join(dir.path, 'wide.png');
    await sharp(raw, { raw: { width: 16, height: 8, channels: 3 } }).png().toFile(file);
    const rgb = await decodeImage(file, 4, 3);
    assert.equal(rgb.length, 48);
    for (let y = 0; y < 4; y++) {
      assert.ok(rgb[(y * 4) * 3] < 30, `left column is black, got ${rgb[y * 12]}`);
      assert.ok(rgb[(y * 4 + 3) * 3] > 225, 'right column is white');
    }
    const grey = await decodeImage(file, 4, 1);
    assert.equal(grey.length, 16);
    assert.ok(grey[0] < 30 && grey[3] > 225);

    // A grayscale image becomes three equal channels.
    const gfile = join(dir.path, 'g.png');
    await sharp(Buffer.alloc(4 * 4, 90), { raw: { width: 4, height: 4, channels: 1 } }).png().toFile(gfile);
    assert.deepEqual(Array.from(await decodeImage(gfile, 2, 3)), new Array<number>(12).fill(90));
    // Alpha is dropped (sharp resizes with premultiplied alpha, hence the small tolerance).
    const afile = join(dir.path, 'a.png');
    const rgba = Buffer.alloc(4 * 4 * 4);
    for (let p = 0; p < 16; p++) rgba.set([30, 60, 120, 200], p * 4);
    await sharp(rgba, { raw: { width: 4, height: 4, channels: 4 } }).png().toFile(afile);
    const a3 = await decodeImage(afile, 2, 3);
    assert.equal(a3.length, 12);
    a3.forEach((v, i) => assert.ok(Math.abs(v - [30, 60, 120][i % 3]) <= 2, `channel ${i % 3}: ${v}`));
  });

  it('splits each class into train and test by testSplit, then validation, with the seed', async () => {
    await writeAnimals(dir.path);
    const config = datasetConfig({ source: 'image-folder', path: dir.path, imageSize: 4, channels: 1, testSplit: 0.2, validationSplit: 0.25 });
    const a = await loadDataset(config, { configDir: '/', seed: 42 });
    assert.equal(a.info.testSize, 2);
    assert.equal(a.info.validationSize, 2);
    assert.equal(a.info.trainSize, 6);
    assert.deepEqual(a.info.inputShape, [4, 4, 1]);
    assert.deepEqual(a.info.classNames, ['bird', 'cat', 'dog']);
    assert.equal(a.normalization.mean.length, 1, 'per-channel statistics of the train split under auto');
    const b = await loadDataset(config, { configDir: '/', seed: 42 });
    assert.equal(a.info.fingerprint, b.info.fingerprint);
  });

  it('enters a lone wrapper folder such as raw-img/', async () => {
    await writeAnimals(join(dir.path, 'raw-img'));
    writeFileSync(join(dir.path, 'translate.py'), '# names');
    const data = await loadImageFolder(dir.path, { imageSize: 2, channels: 3 });
    assert.deepEqual(data.classNames, ['bird', 'cat', 'dog']);
    assert.equal(data.folder, join(dir.path, 'raw-img'));
  });

  it('names an unreadable image', async () => {
    await writeAnimals(dir.path);
    writeFileSync(join(dir.path, 'cat', 'broken.png'), 'this is not a png');
    await expectDataError(loadImageFolder(dir.path, { imageSize: 4, channels: 3 }), /cat\/broken\.png: cannot read this image/);
  });

  it('rejects an empty class folder', async () => {
    await writeAnimals(dir.path);
    mkdirSync(join(dir.path, 'eel'));
    writeFileSync(join(dir.path, 'eel', 'readme.txt'), 'no pictures');
    await expectDataError(loadImageFolder(dir.path, { imageSize: 4, channels: 3 }), /eel: class folder holds no images/);
  });

  it('rejects fewer than two classes and a missing folder', async () => {
    mkdirSync(join(dir.path, 'only'));
    await solid(join(dir.path, 'only', 'a.png'), [1, 2, 3]);
    await expectDataError(loadImageFolder(dir.path, { imageSize: 4, channels: 3 }), /only one class sub-folder \(only\); at least two classes are needed/);
    const error = await expectDataError(loadImageFolder(join(dir.path, 'absent'), { imageSize: 4, channels: 3 }), /absent: folder not found/);
    assert.match(error.hint ?? '', /one sub-folder per class/);
  });
});

describe('image folders decoded in a child process', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  /** A decoder child that runs `body` (JavaScript, with the TypeScript sources requirable) instead of the usual entry. */
  function entryRunning(body: string): { modulePath: string; execArgv: string[] } {
    const modulePath = join(dir.path, 'entry.js');
    writeFileSync(modulePath, body);
    return { modulePath, execArgv: ['--require', require.resolve('tsx/cjs')] };
  }
  const processModule = JSON.stringify(resolve(__dirname, '../../../src/trainer/data/image-folder-process.ts'));

  it('gives the images, labels, classes and progress of decoding in this process', async () => {
    await writeAnimals(join(dir.path, 'raw-img'));
    const messages: string[] = [];
    const child = await decodeImageFolderInChild(dir.path, { imageSize: 4, channels: 3, onProgress: (m) => messages.push(m) });
    const here = await loadImageFolder(dir.path, { imageSize: 4, channels: 3 });
    assert.deepEqual(child.classNames, here.classNames);
    assert.equal(child.folder, here.folder);
    assert.deepEqual({ ...child.set, images: Buffer.from(child.set.images) }, { ...here.set, images: Buffer.from(here.set.images) });
    assert.ok(messages.some((m) => /Decoding 10 images in 3 classes/.test(m)), messages.join('\n'));
    assert.equal(messages.at(-1), 'Decoding images: 10/10');
  });

  it('brings a data error back as one naming the file', async () => {
    await writeAnimals(dir.path);
    writeFileSync(join(dir.path, 'cat', 'broken.png'), 'this is not a png');
    const error = await expectDataError(decodeImageFolderInChild(dir.path, { imageSize: 4, channels: 3 }), /cat\/broken\.png: cannot read this image/);
    assert.equal(error.file, join(dir.path, 'cat', 'broken.png'));
    assert.equal(error.hint, 'Replace or delete the file');
  });

  it('keeps the images of a child that crashes at its exit after handing them over', async () => {
    await writeAnimals(dir.path);
    // What sharp's exit handler did to the trainer: a segmentation fault once everything is done.
    const entry = entryRunning(`process.exit = () => process.kill(process.pid, 'SIGSEGV');
void require(${processModule}).maybeRunImageDecoder(process.argv);`);
    const data = await decodeImageFolderInChild(dir.path, { imageSize: 4, channels: 3 }, entry);
    assert.equal(data.set.count, 10);
    assert.deepEqual(data.classNames, ['bird', 'cat', 'dog']);
  });

  it('says how a child ended that never finished, and names the folder', async () => {
    await writeAnimals(dir.path);
    const entry = entryRunning(`if (!process.argv.includes(${JSON.stringify(DECODE_FLAG)})) throw new Error('no flag'); process.exit(3);`);
    await assert.rejects(decodeImageFolderInChild(dir.path, { imageSize: 4, channels: 3 }, entry),
      (e: Error) => e.message.includes('ended (exit code 3) before it finished decoding') && e.message.includes(dir.path));
  });

  it('refuses a reply that is not a decoder reply', async () => {
    const entry = entryRunning(`process.send({ type: 'done', count: 'ten' }); setTimeout(() => {}, 5000);`);
    await assert.rejects(decodeImageFolderInChild(dir.path, { imageSize: 4, channels: 3 }, entry), /sent a message that is not a decoder reply: \{"type":"done","count":"ten"\}/);
  });
});
