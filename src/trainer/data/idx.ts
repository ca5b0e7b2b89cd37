/**
 * MNIST-style IDX files (MNIST, Fashion-MNIST, EMNIST): a big-endian header (two zero bytes, a
 * type byte, the number of dimensions, one uint32 per dimension) followed by the values.
 */
import { basename, join } from 'node:path';
import { dataError, listFolder, readDataFile } from './files';
import type { ImageSet } from './types';

export const IDX_HINT =
  'Put the four IDX files in this folder, e.g. train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (the .gz files work too): ' +
  'MNIST from a mirror of http://yann.lecun.com/exdb/mnist/, Fashion-MNIST from https://github.com/zalandoresearch/fashion-mnist (data/fashion), ' +
  'EMNIST from https://www.nist.gov/itl/products-and-services/emnist-dataset (the binary format, e.g. emnist-byclass-train-images-idx3-ubyte)';

const UBYTE = 0x08;

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses an unsigned-byte IDX file of the given rank (3 for images, 1 for labels). */
export function parseIdx(bytes: Uint8Array, file: string, rank: 1 | 3, hint = IDX_HINT): IdxArray {
  const what = rank === 3 ? 'an IDX image file (magic number 0x00000803)' : 'an IDX label file (magic number 0x00000801)';
  if (bytes.length < 4) throw dataError(file, `holds only ${bytes.length} bytes; expected ${what}`, hint);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== UBYTE || bytes[3] !== rank) {
    throw dataError(file, `wrong magic number 0x${magic.toString(16).padStart(8, '0')}; expected ${what}`, hint);
  }
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) throw dataError(file, `is truncated: ${bytes.length} bytes, shorter than its ${headerLength}-byte header`, hint);
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d));
  const expected = headerLength + dims.reduce((a, b) => a * b, 1);
  const shape = dims.join('×');
  if (bytes.length < expected) {
    throw dataError(file, `is truncated: ${bytes.length} bytes, but its header announces ${shape} values (${expected} bytes); the download may be incomplete`, hint);
  }
  if (bytes.length > expected) {
    throw dataError(file, `has ${bytes.length - expected} bytes more than its header announces (${shape} values, ${expected} bytes); it is not a valid IDX file`, hint);
  }
  return { dims, data: bytes.subarray(headerLength) };
}

/** Reads an image file and its label file into one ImageSet. */
export async function loadIdxPair(imagesFile: string, labelsFile: string, hint = IDX_HINT): Promise<ImageSet> {
  const [imageBytes, labelBytes] = await Promise.all([readDataFile(imagesFile, hint), readDataFile(labelsFile, hint)]);
  const images = parseIdx(imageBytes, imagesFile, 3, hint);
  const labels = parseIdx(labelBytes, labelsFile, 1, hint);
  const [count, height, width] = images.dims;
  if (labels.dims[0] !== count) {
    throw dataError(imagesFile, `holds ${count} images but ${labelsFile} holds ${labels.dims[0]} labels; the two files must come from the same dataset split`, hint);
  }
  return {
    images: images.data,
    labels: Uint16Array.from(labels.data),
    count,
    height,
    width,
    channels: 1,
  };
}

export interface IdxFolder {
  train: ImageSet;
  test: ImageSet;
  /** `EMNIST byclass` for emnist-byclass-* files, otherwise the folder name. */
  name: string;
  /** From an EMNIST `*-mapping.txt` file when there is one. */
  classNames?: string[];
  files: { trainImages: string; trainLabels: string; testImages: string; testLabels: string };
}

const IDX_NAME = /^(.*?)(train|t10k|test)-(images|labels)[-.]idx([13])-ubyte(\.gz)?$/;

/**
 * Finds the four IDX files in `folder`. Files may carry a prefix (EMNIST's `emnist-byclass-`);
 * with several prefixes in one folder, `emnist-byclass-` (the split the reference uses, spec
 * 9.12) wins, otherwise the choice is ambiguous and an error lists them.
 */
export async function loadIdxFolder(folder: string, hint = IDX_HINT): Promise<IdxFolder> {
  const { files } = await listFolder(folder, hint);
  const byPrefix = new Map<string, Map<string, string>>();
  for (const file of files) {
    const m = IDX_NAME.exec(file);
    if (!m) continue;
    const [, prefix, split, kind, rank] = m;
    if ((kind === 'images') !== (rank === '3')) continue;
    const role = `${split === 'train' ? 'train' : 'test'}-${kind}`;
    const roles = byPrefix.get(prefix) ?? new Map<string, string>();
    byPrefix.set(prefix, roles);
    // Prefer the uncompressed file when both are present (sorted names put it first).
    if (!roles.has(role)) roles.set(role, file);
  }
  const prefixes = [...byPrefix.keys()].filter((p) => byPrefix.get(p)?.has('train-images'));
  if (prefixes.length === 0) throw dataError(folder, 'holds no IDX training images (a file named like train-images-idx3-ubyte)', hint);
  let prefix: string;
  if (prefixes.length === 1) prefix = prefixes[0];
  else if (prefixes.includes('emnist-byclass-')) prefix = 'emnist-byclass-';
  else {
    throw dataError(folder, `holds several IDX datasets (${prefixes.map((p) => `${p}train-images-idx3-ubyte`).join(', ')})`, 'Move each dataset into its own folder and point dataset.path at one of them');
  }
  const roles = byPrefix.get(prefix) ?? new Map<string, string>();
  const pick = (role: string, expected: string): string => {
    const file = roles.get(role);
    if (!file) throw dataError(join(folder, `${prefix}${expected}`), 'file not found', hint);
    return join(folder, file);
  };
  const trainImages = pick('train-images', 'train-images-idx3-ubyte');
  const trainLabels = pick('train-labels', 'train-labels-idx1-ubyte');
  const testPrefix = [...roles.values()].some((f) => f.includes('t10k-')) ? 't10k' : 'test';
  const testImages = pick('test-images', `${testPrefix}-images-idx3-ubyte`);
  const testLabels = pick('test-labels', `${testPrefix}-labels-idx1-ubyte`);

  const train = await loadIdxPair(trainImages, trainLabels, hint);
  const test = await loadIdxPair(testImages, testLabels, hint);
  if (train.height !== test.height || train.width !== test.width) {
    throw dataError(testImages, `holds ${test.height}×${test.width} images but ${trainImages} holds ${train.height}×${train.width}; both must come from the same dataset`, hint);
  }
  const name = prefix.startsWith('emnist-') ? `EMNIST ${prefix.slice('emnist-'.length).replace(/-$/, '')}` : basename(folder);
  const mapping = files.find((f) => f === `${prefix}mapping.txt`);
  const classNames = mapping ? await readEmnistMapping(join(folder, mapping)) : undefined;
  return { train, test, name, classNames, files: { trainImages, trainLabels, testImages, testLabels } };
}

/** EMNIST's `<split>-mapping.txt`: one `label asciiCode` pair a line. */
async function readEmnistMapping(file: string): Promise<string[] | undefined> {
  const text = (await readDataFile(file)).toString('utf8');
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(line);
    if (m) names[Number(m[1])] = String.fromCodePoint(Number(m[2]));
  }
  // A mapping with gaps is not one we understand; leave the classes unnamed rather than guess.
  return names.length > 0 && Array.from(names).every((n) => typeof n === 'string') ? names : undefined;
}
