// Batch-norm statistics and gradients over a channel-last activation seen as `rows` rows of
// `c` channels. Sums run over chunks of rows in float32 vectors, and the chunk sums are added
// up in float64, so that a sum over a whole batch (131,072 rows for 128×32×32) loses no more
// than a chunk's worth of float32 rounding. Vectors cover the channels up to the last
// multiple of 4, scalars the rest.
//
// `scratch` is caller-owned memory: 24 bytes per channel for the sums, 12 for batchNormGradInput.

const CHUNK_ROWS = 64;

// @ts-ignore: decorator
@inline function vectorChannels(c: i32): i32 {
  return c & ~3;
}

function zeroF32(p: usize, count: i32): void {
  memory.fill(p, 0, <usize>count << 2);
}

function addChunk(total: usize, partial: usize, c: i32): void {
  for (let ch = 0; ch < c; ch++) {
    const t = total + (<usize>ch << 3);
    store<f64>(t, load<f64>(t) + <f64>load<f32>(partial + (<usize>ch << 2)));
  }
}

/** partial[ch] += Σ_rows x[row, ch] over rows r0..r1. */
function sumChunk(x: usize, c: i32, r0: i32, r1: i32, partial: usize): void {
  const vc = <usize>vectorChannels(c) << 2;
  const rowBytes = <usize>c << 2;
  for (let r = r0; r < r1; r++) {
    const row = x + <usize>r * rowBytes;
    let k: usize = 0;
    for (; k < vc; k += 16) v128.store(partial + k, f32x4.add(v128.load(partial + k), v128.load(row + k)));
    for (; k < rowBytes; k += 4) store<f32>(partial + k, load<f32>(partial + k) + load<f32>(row + k));
  }
}

/** partial[ch] += Σ_rows (x[row, ch] − mean[ch])² over rows r0..r1. */
function squaredDeviationChunk(x: usize, mean: usize, c: i32, r0: i32, r1: i32, partial: usize): void {
  const vc = <usize>vectorChannels(c) << 2;
  const rowBytes = <usize>c << 2;
  for (let r = r0; r < r1; r++) {
    const row = x + <usize>r * rowBytes;
    let k: usize = 0;
    for (; k < vc; k += 16) {
      const d = f32x4.sub(v128.load(row + k), v128.load(mean + k));
      v128.store(partial + k, f32x4.add(v128.load(partial + k), f32x4.mul(d, d)));
    }
    for (; k < rowBytes; k += 4) {
      const d = load<f32>(row + k) - load<f32>(mean + k);
      store<f32>(partial + k, load<f32>(partial + k) + d * d);
    }
  }
}

/** Per-channel mean and biased variance (two passes over x, as the variance needs the mean). */
export function batchMoments(x: usize, rows: i32, c: i32, mean: usize, variance: usize, scratch: usize): void {
  const total = scratch;
  const partial = scratch + (<usize>c << 3);
  for (let pass = 0; pass < 2; pass++) {
    memory.fill(total, 0, <usize>c << 3);
    for (let r0 = 0; r0 < rows; r0 += CHUNK_ROWS) {
      const r1 = min(rows, r0 + CHUNK_ROWS);
      zeroF32(partial, c);
      if (pass == 0) sumChunk(x, c, r0, r1, partial);
      else squaredDeviationChunk(x, mean, c, r0, r1, partial);
      addChunk(total, partial, c);
    }
    const out = pass == 0 ? mean : variance;
    for (let ch = 0; ch < c; ch++) {
      store<f32>(out + (<usize>ch << 2), <f32>(load<f64>(total + (<usize>ch << 3)) / <f64>rows));
    }
  }
}

/** partialDy[ch] += Σ dy, partialDyX[ch] += Σ dy·(x − mean) over rows r0..r1. */
function gradSumsChunk(dy: usize, x: usize, mean: usize, c: i32, r0: i32, r1: i32, partialDy: usize, partialDyX: usize): void {
  const vc = <usize>vectorChannels(c) << 2;
  const rowBytes = <usize>c << 2;
  for (let r = r0; r < r1; r++) {
    const offset = <usize>r * rowBytes;
    const dyRow = dy + offset;
    const xRow = x + offset;
    let k: usize = 0;
    for (; k < vc; k += 16) {
      const g = v128.load(dyRow + k);
      const d = f32x4.sub(v128.load(xRow + k), v128.load(mean + k));
      v128.store(partialDy + k, f32x4.add(v128.load(partialDy + k), g));
      v128.store(partialDyX + k, f32x4.add(v128.load(partialDyX + k), f32x4.mul(g, d)));
    }
    for (; k < rowBytes; k += 4) {
      const g = load<f32>(dyRow + k);
      store<f32>(partialDy + k, load<f32>(partialDy + k) + g);
      store<f32>(partialDyX + k, load<f32>(partialDyX + k) + g * (load<f32>(xRow + k) - load<f32>(mean + k)));
    }
  }
}

/** Σdy and Σdy·x̂ per channel, x̂ = (x − mean)·invStd. */
export function batchNormGradSums(dy: usize, x: usize, mean: usize, invStd: usize, rows: i32, c: i32,
  sumDy: usize, sumDyXhat: usize, scratch: usize): void {
  const totalDy = scratch;
  const totalDyX = scratch + (<usize>c << 3);
  const partialDy = scratch + (<usize>c << 4);
  const partialDyX = partialDy + (<usize>c << 2);
  memory.fill(totalDy, 0, <usize>c << 4);
  for (let r0 = 0; r0 < rows; r0 += CHUNK_ROWS) {
    const r1 = min(rows, r0 + CHUNK_ROWS);
    zeroF32(partialDy, 2 * c);
    gradSumsChunk(dy, x, mean, c, r0, r1, partialDy, partialDyX);
    addChunk(totalDy, partialDy, c);
    addChunk(totalDyX, partialDyX, c);
  }
  for (let ch = 0; ch < c; ch++) {
    const at = <usize>ch << 2;
    store<f32>(sumDy + at, <f32>load<f64>(totalDy + (<usize>ch << 3)));
    store<f32>(sumDyXhat + at, <f32>(load<f64>(totalDyX + (<usize>ch << 3)) * <f64>load<f32>(invStd + at)));
  }
}

/**
 * dx = γ·invStd·(dy − Σdy/count − x̂·Σdy·x̂/count), rewritten per channel as p·dy + q·x + r so
 * that each element costs two multiplies and two adds.
 */
export function batchNormGradInput(dy: usize, x: usize, mean: usize, invStd: usize, gamma: usize, sumDy: usize,
  sumDyXhat: usize, count: f32, rows: i32, c: i32, dx: usize, scratch: usize): void {
  const p = scratch;
  const q = scratch + (<usize>c << 2);
  const r = q + (<usize>c << 2);
  for (let ch = 0; ch < c; ch++) {
    const at = <usize>ch << 2;
    const is = load<f32>(invStd + at);
    const scale = load<f32>(gamma + at) * is;
    const k1 = load<f32>(sumDy + at) / count;
    const k2 = is * load<f32>(sumDyXhat + at) / count;
    store<f32>(p + at, scale);
    store<f32>(q + at, -scale * k2);
    store<f32>(r + at, -scale * (k1 - load<f32>(mean + at) * k2));
  }
  const vc = <usize>vectorChannels(c) << 2;
  const rowBytes = <usize>c << 2;
  for (let row = 0; row < rows; row++) {
    const offset = <usize>row * rowBytes;
    const dyRow = dy + offset;
    const xRow = x + offset;
    const dxRow = dx + offset;
    let k: usize = 0;
    for (; k < vc; k += 16) {
      const v = f32x4.add(f32x4.add(f32x4.mul(v128.load(p + k), v128.load(dyRow + k)),
        f32x4.mul(v128.load(q + k), v128.load(xRow + k))), v128.load(r + k));
      v128.store(dxRow + k, v);
    }
    for (; k < rowBytes; k += 4) {
      store<f32>(dxRow + k, load<f32>(p + k) * load<f32>(dyRow + k) + load<f32>(q + k) * load<f32>(xRow + k) + load<f32>(r + k));
    }
  }
}

/**
 * y = (x − mean)·scale/√(variance + ε) + offset, TF.js's FusedBatchNorm, with the per-channel
 * factor computed once. `offset` and `scale` may be 0 (absent: 0 and 1). Scratch: 8 bytes per
 * channel.
 */
export function batchNormApply(x: usize, mean: usize, variance: usize, offset: usize, scale: usize, epsilon: f32,
  rows: i32, c: i32, y: usize, scratch: usize): void {
  const factor = scratch;
  const shift = scratch + (<usize>c << 2);
  for (let ch = 0; ch < c; ch++) {
    const at = <usize>ch << 2;
    const s: f32 = scale != 0 ? load<f32>(scale + at) : 1;
    store<f32>(factor + at, s / Mathf.sqrt(load<f32>(variance + at) + epsilon));
    store<f32>(shift + at, offset != 0 ? load<f32>(offset + at) : 0);
  }
  const vc = <usize>vectorChannels(c) << 2;
  const rowBytes = <usize>c << 2;
  for (let row = 0; row < rows; row++) {
    const offsetBytes = <usize>row * rowBytes;
    const xRow = x + offsetBytes;
    const yRow = y + offsetBytes;
    let k: usize = 0;
    for (; k < vc; k += 16) {
      const centred = f32x4.sub(v128.load(xRow + k), v128.load(mean + k));
      v128.store(yRow + k, f32x4.add(f32x4.mul(centred, v128.load(factor + k)), v128.load(shift + k)));
    }
    for (; k < rowBytes; k += 4) {
      store<f32>(yRow + k, (load<f32>(xRow + k) - load<f32>(mean + k)) * load<f32>(factor + k) + load<f32>(shift + k));
    }
  }
}
