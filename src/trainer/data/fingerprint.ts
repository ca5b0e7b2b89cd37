/** sha256 over exactly the data a run trains, validates and tests on (DatasetInfo.fingerprint). */
import { createHash } from 'node:crypto';
import type { ImageSet } from './types';

export function datasetFingerprint(splits: { train: ImageSet; validation: ImageSet; test: ImageSet }): string {
  const hash = createHash('sha256');
  for (const [name, set] of [['train', splits.train], ['validation', splits.validation], ['test', splits.test]] as const) {
    // The header makes the split sizes and shapes part of the hash, not just the byte stream.
    hash.update(`${name}:${set.count}x${set.height}x${set.width}x${set.channels};`);
    hash.update(set.images.subarray(0, set.count * set.height * set.width * set.channels));
    const labels = set.labels.subarray(0, set.count);
    // Labels as little-endian uint16 whatever the machine's byte order.
    const bytes = new Uint8Array(labels.length * 2);
    for (let i = 0; i < labels.length; i++) {
      bytes[2 * i] = labels[i] & 0xff;
      bytes[2 * i + 1] = labels[i] >>> 8;
    }
    hash.update(bytes);
  }
  return hash.digest('hex');
}
