/**
 * CIFAR-10 and CIFAR-100 in their binary versions. A CIFAR-10 record is one label byte and
 * 3,072 pixel bytes (the 32×32 red plane, then green, then blue); a CIFAR-100 record has a
 * coarse and a fine label byte first (the fine labels, docs/algorithm.md, "Data and augmentation"). Records are converted to
 * HWC while they are read, straight into one buffer for the whole split.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { dataError, isDirectory, readDataFile } from './files';
import type { ImageSet } from './types';

const SIDE = 32;
const PIXELS = SIDE * SIDE;
const IMAGE_BYTES = PIXELS * 3;

export type CifarKind = 'cifar10' | 'cifar100';

interface CifarLayout {
  title: string;
  archiveFolder: string;
  trainFiles: string[];
  testFiles: string[];
  labelBytes: number;
  /** Which of the label bytes is the class. */
  labelOffset: number;
  numClasses: number;
  namesFile: string;
  defaultNames: string[];
  hint: (path: string) => string;
}

const CIFAR10_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

const CIFAR100_NAMES = (
  'apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus butterfly camel can castle ' +
  'caterpillar cattle chair chimpanzee clock cloud cockroach couch crab crocodile cup dinosaur dolphin elephant flatfish ' +
  'forest fox girl hamster house kangaroo keyboard lamp lawn_mower leopard lion lizard lobster man maple_tree motorcycle ' +
  'mountain mouse mushroom oak_tree orange orchid otter palm_tree pear pickup_truck pine_tree plain plate poppy porcupine ' +
  'possum rabbit raccoon ray road rocket rose sea seal shark shrew skunk skyscraper snail snake spider squirrel streetcar ' +
  'sunflower sweet_pepper table tank telephone television tiger tractor train trout tulip turtle wardrobe whale ' +
  'willow_tree wolf woman worm'
).split(' ');

export const CIFAR_LAYOUTS: Record<CifarKind, CifarLayout> = {
  cifar10: {
    title: 'CIFAR-10',
    archiveFolder: 'cifar-10-batches-bin',
    trainFiles: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`),
    testFiles: ['test_batch.bin'],
    labelBytes: 1,
    labelOffset: 0,
    numClasses: 10,
    namesFile: 'batches.meta.txt',
    defaultNames: CIFAR10_NAMES,
    hint: (path) =>
      `Download the CIFAR-10 binary version (cifar-10-binary.tar.gz) from https://www.cs.toronto.edu/~kriz/cifar.html and extract it into ${path} (it creates cifar-10-batches-bin/ with data_batch_1.bin … data_batch_5.bin and test_batch.bin)`,
  },
  cifar100: {
    title: 'CIFAR-100',
    archiveFolder: 'cifar-100-binary',
    trainFiles: ['train.bin'],
    testFiles: ['test.bin'],
    labelBytes: 2,
    labelOffset: 1,
    numClasses: 100,
    namesFile: 'fine_label_names.txt',
    defaultNames: CIFAR100_NAMES,
    hint: (path) =>
      `Download the CIFAR-100 binary version (cifar-100-binary.tar.gz) from https://www.cs.toronto.edu/~kriz/cifar.html and extract it into ${path} (it creates cifar-100-binary/ with train.bin and test.bin)`,
  },
};

export interface CifarData {
  train: ImageSet;
  test: ImageSet;
  title: string;
  numClasses: number;
  classNames: string[];
  folder: string;
}

/** Loads CIFAR from `path` or from the folder its archive extracts to under `path`. */
export async function loadCifar(kind: CifarKind, path: string): Promise<CifarData> {
  const layout = CIFAR_LAYOUTS[kind];
  const hint = layout.hint(path);
  if (!(await isDirectory(path))) throw dataError(path, 'folder not found', hint);
  const nested = join(path, layout.archiveFolder);
  const folder = (await isDirectory(nested)) ? nested : path;
  const train = await readSplit(layout, layout.trainFiles.map((f) => join(folder, f)), hint);
  const test = await readSplit(layout, layout.testFiles.map((f) => join(folder, f)), hint);
  return { train, test, title: layout.title, numClasses: layout.numClasses, classNames: await readClassNames(layout, folder), folder };
}

async function readSplit(layout: CifarLayout, files: string[], hint: string): Promise<ImageSet> {
  const recordBytes = layout.labelBytes + IMAGE_BYTES;
  // Size every file first so the split's buffer is allocated once, at its final size.
  const counts: number[] = [];
  for (const file of files) {
    let stat: import('node:fs').Stats;
    try {
      stat = await fs.stat(file);
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw dataError(file, missing ? 'file not found' : `cannot read file (${(error as Error).message})`, hint);
    }
    if (!stat.isFile()) throw dataError(file, 'is not a file', hint);
    const size = stat.size;
    counts.push(checkRecordCount(file, size, recordBytes, layout, hint));
  }
  const total = counts.reduce((a, b) => a + b, 0);
  const set: ImageSet = { images: new Uint8Array(total * IMAGE_BYTES), labels: new Uint16Array(total), count: total, height: SIDE, width: SIDE, channels: 3 };
  let offset = 0;
  for (let f = 0; f < files.length; f++) {
    const bytes = await readDataFile(files[f], hint);
    if (bytes.length !== counts[f] * recordBytes) throw dataError(files[f], `changed size while it was read (${bytes.length} bytes)`, hint);
    for (let r = 0; r < counts[f]; r++) {
      const base = r * recordBytes;
      const label = bytes[base + layout.labelOffset];
      if (label >= layout.numClasses) {
        throw dataError(files[f], `record ${r} has label ${label}, but ${layout.title} labels are 0–${layout.numClasses - 1}; is this a file of the other CIFAR dataset?`, hint);
      }
      set.labels[offset] = label;
      chwToHwc(bytes, base + layout.labelBytes, set.images, offset * IMAGE_BYTES);
      offset++;
    }
  }
  return set;
}

function checkRecordCount(file: string, size: number, recordBytes: number, layout: CifarLayout, hint: string): number {
  if (size === 0) throw dataError(file, 'is empty', hint);
  if (size % recordBytes !== 0) {
    throw dataError(
      file,
      `is truncated or not a ${layout.title} binary batch: ${size} bytes is not a whole number of ${recordBytes}-byte records (${layout.labelBytes} label byte${layout.labelBytes > 1 ? 's' : ''} + 3072 pixel bytes)`,
      hint,
    );
  }
  return size / recordBytes;
}

/** One 32×32×3 image from planar (CHW) to interleaved (HWC). */
export function chwToHwc(src: Uint8Array, srcOffset: number, dst: Uint8Array, dstOffset: number): void {
  for (let p = 0; p < PIXELS; p++) {
    const d = dstOffset + p * 3;
    dst[d] = src[srcOffset + p];
    dst[d + 1] = src[srcOffset + PIXELS + p];
    dst[d + 2] = src[srcOffset + 2 * PIXELS + p];
  }
}

/** The archive's label-name file when it is there, else the well-known names. */
async function readClassNames(layout: CifarLayout, folder: string): Promise<string[]> {
  try {
    const text = await fs.readFile(join(folder, layout.namesFile), 'utf8');
    const names = text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
    if (names.length === layout.numClasses) return names;
  } catch {
    // The names file is optional; fall through to the built-in names.
  }
  return layout.defaultNames;
}
