/** Small synthetic dataset files for the loader tests. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatasetConfig } from '../../../src/core/config/types';
import { DataError, type ImageSet } from '../../../src/trainer/data/types';

export function tempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'resbuilder-data-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** An IDX file: two zero bytes, type 0x08 (ubyte), rank, big-endian dims, values. */
export function idxBytes(dims: number[], values: ArrayLike<number>, magic?: number): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic ?? (0x0800 | dims.length), 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(Uint8Array.from(values))]);
}

/** Pixel value of image n at (y, x, c) in the synthetic sets: distinct enough to catch mix-ups. */
export function pixel(n: number, y: number, x: number, c: number): number {
  return (n * 31 + y * 7 + x * 3 + c * 101) % 256;
}

export function syntheticImages(count: number, h: number, w: number, c: number): Uint8Array {
  const out = new Uint8Array(count * h * w * c);
  for (let n = 0; n < count; n++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[((n * h + y) * w + x) * c + k] = pixel(n, y, x, k);
  return out;
}

/** CIFAR records: label byte(s), then the image as planes (CHW). */
export function cifarBytes(labels: number[][], planesOf: (n: number) => Uint8Array): Buffer {
  const parts: Buffer[] = [];
  labels.forEach((l, n) => {
    parts.push(Buffer.from(l));
    parts.push(Buffer.from(planesOf(n)));
  });
  return Buffer.concat(parts);
}

/** Image n of the synthetic CIFAR files in CHW order, using pixel(). */
export function cifarPlanes(n: number): Uint8Array {
  const out = new Uint8Array(3072);
  for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) out[c * 1024 + y * 32 + x] = pixel(n, y, x, c);
  return out;
}

export function imageSet(images: Uint8Array, labels: number[], h: number, w: number, c: number): ImageSet {
  return { images, labels: Uint16Array.from(labels), count: labels.length, height: h, width: w, channels: c };
}

export function datasetConfig(overrides: Partial<DatasetConfig>): DatasetConfig {
  return {
    source: 'mnist',
    path: null,
    imageSize: 8,
    channels: 3,
    validationSplit: 0.2,
    testSplit: 0.1,
    limit: null,
    normalization: 'auto',
    augmentation: { shift: 0.1, flip: true },
    ...overrides,
  };
}

/** Awaits a promise that must reject with a DataError whose message matches. */
export async function expectDataError(promise: Promise<unknown>, pattern: RegExp): Promise<DataError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return error;
  }
  assert.fail('expected a DataError');
}
