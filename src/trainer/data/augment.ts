/**
 * The augmentation of docs/algorithm.md, "Data and augmentation", on uint8 images, fused with normalisation so that the float copy of
 * an image is written once, straight into its batch: a random shift of up to `shift` of the
 * width and height with nearest fill (pixels beyond the edge repeat the edge, Keras'
 * fill_mode='nearest'), then a horizontal flip with probability 1/2.
 *
 * Shifts are whole pixels: the offset is uniform in [-shift·size, +shift·size] rounded to the
 * nearest integer, so the shifted image needs no interpolation (Keras interpolates fractional
 * shifts bilinearly; the range of the shifts is the same).
 */
import type { Rng } from '../../core/rng';
import type { ImageSet, Normalization } from './types';

export interface AugmentationSettings {
  /** Largest shift as a fraction of the width and height (0 = none). */
  shift: number;
  flip: boolean;
}

/** Where output pixel (y, x) reads from: (clamp(y − dy), clamp(x' − dx)), x' = flip ? W−1−x : x. */
export interface ImageTransform {
  dx: number;
  dy: number;
  flip: boolean;
}

export const IDENTITY_TRANSFORM: ImageTransform = { dx: 0, dy: 0, flip: false };

/** Draws one image's transform; consumes a fixed number of values for given settings. */
export function drawTransform(rng: Rng, settings: AugmentationSettings, height: number, width: number): ImageTransform {
  let dx = 0;
  let dy = 0;
  if (settings.shift > 0) {
    dx = Math.round((2 * rng.next() - 1) * settings.shift * width) || 0; // `|| 0` turns -0 into 0
    dy = Math.round((2 * rng.next() - 1) * settings.shift * height) || 0;
  }
  const flip = settings.flip ? rng.next() < 0.5 : false;
  return { dx, dy, flip };
}

/** For each channel, the normalised float of every byte value: out = table[c·256 + v]. */
export function normalizationTable(normalization: Normalization, channels: number): Float32Array {
  if (normalization.mean.length !== channels || normalization.std.length !== channels) {
    throw new RangeError(`normalization has ${normalization.mean.length} means and ${normalization.std.length} stds for ${channels}-channel images`);
  }
  const table = new Float32Array(256 * channels);
  for (let c = 0; c < channels; c++) {
    const std = normalization.std[c];
    if (!(std > 0)) throw new RangeError(`normalization std of channel ${c} must be positive, got ${std}`);
    for (let v = 0; v < 256; v++) table[c * 256 + v] = (v - normalization.mean[c]) / std;
  }
  return table;
}

/** Writes image `index` of `set`, transformed and normalised, to out[outOffset …]. */
export function writeImage(set: ImageSet, index: number, transform: ImageTransform, table: Float32Array, out: Float32Array, outOffset: number): void {
  const { height: H, width: W, channels: C } = set;
  const base = index * H * W * C;
  const img = set.images;
  if (transform.dx === 0 && transform.dy === 0 && !transform.flip) {
    const n = H * W * C;
    if (C === 1) {
      for (let i = 0; i < n; i++) out[outOffset + i] = table[img[base + i]];
    } else {
      for (let i = 0; i < n; i++) out[outOffset + i] = table[(i % C) * 256 + img[base + i]];
    }
    return;
  }
  const { dx, dy, flip } = transform;
  for (let y = 0; y < H; y++) {
    const sy = clamp(y - dy, H);
    const rowIn = base + sy * W * C;
    const rowOut = outOffset + y * W * C;
    for (let x = 0; x < W; x++) {
      const sx = clamp((flip ? W - 1 - x : x) - dx, W);
      const pIn = rowIn + sx * C;
      const pOut = rowOut + x * C;
      for (let c = 0; c < C; c++) out[pOut + c] = table[c * 256 + img[pIn + c]];
    }
  }
}

function clamp(v: number, size: number): number {
  return v < 0 ? 0 : v >= size ? size - 1 : v;
}
