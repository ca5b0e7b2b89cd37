/**
 * A folder of named arrays: `manifest.json` (names, shapes, dtypes, byte offsets) and one
 * `data.bin`. Checkpoints store model weights and optimizer slots this way; JSON arrays of
 * numbers would be ten times larger and slow for a ResNet18's 11.8M parameters.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface NamedArray {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  offset: number;
  length: number;
}

export function writeBundle(dir: string, arrays: NamedArray[]): void {
  fs.mkdirSync(dir, { recursive: true });
  const entries: ManifestEntry[] = [];
  let offset = 0;
  for (const a of arrays) {
    entries.push({ name: a.name, shape: a.shape, dtype: a.dtype, offset, length: a.data.length });
    offset += a.data.byteLength;
  }
  const buffer = Buffer.alloc(offset);
  arrays.forEach((a, i) => Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).copy(buffer, entries[i].offset));
  fs.writeFileSync(path.join(dir, 'data.bin'), buffer);
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(entries));
}

export function readBundle(dir: string): NamedArray[] {
  const manifestFile = path.join(dir, 'manifest.json');
  const entries = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as ManifestEntry[];
  const buffer = fs.readFileSync(path.join(dir, 'data.bin'));
  return entries.map((e) => {
    const bytes = e.length * 4;
    if (e.offset + bytes > buffer.length) throw new Error(`${dir}: checkpoint data is truncated at "${e.name}".`);
    const copy = new ArrayBuffer(bytes);
    new Uint8Array(copy).set(buffer.subarray(e.offset, e.offset + bytes));
    return { name: e.name, shape: e.shape, dtype: e.dtype, data: e.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy) };
  });
}
