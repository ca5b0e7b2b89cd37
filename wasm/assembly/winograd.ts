// A 3×3, stride-1 convolution as Winograd F(2×2, 3×3) (NHWC, any zero padding): every 4×4 input
// tile becomes 16 transformed values per channel, 16 small GEMMs (tiles × Cin)·(Cin × Cout)
// multiply them with the transformed filter, and each 4×4 product tile turns back into a 2×2
// output tile. That is 16 multiply-adds per output pair of channels for every 4 outputs, where
// the direct form does 36 (docs/wasm-kernels.md, "Winograd convolutions").
//
//   U = G g Gᵀ,  V = Bᵀ d B,  Y = Aᵀ (U ⊙ V) A   with
//   G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],  Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],
//   Aᵀ = [1 1 1 0; 0 1 −1 −1].
//
// The caller passes both channel counts as multiples of 4 (it pads them when they are not) and
// byte offsets into the memory it shares with this module. Tiles go in blocks, so a block's
// transformed input and products stay in cache between the three steps.

import { tile1x4, tile4x4, tile4x8 } from './register-tile';

/**
 * The filter's transform: g [3, 3, cin, cout] (HWIO) → u [16, cinPadded, coutPadded], zeros in
 * the padded channels.
 */
export function winogradFilter(g: usize, u: usize, cin: i32, cout: i32, cinPadded: i32, coutPadded: i32): void {
  const plane = <usize>(cinPadded * coutPadded) << 2;
  memory.fill(u, 0, plane * 16);
  const tap = <usize>(cin * cout) << 2;
  for (let c = 0; c < cin; c++) {
    for (let o = 0; o < cout; o++) {
      const src = g + (<usize>(c * cout + o) << 2);
      const g00 = f32.load(src), g01 = f32.load(src + tap), g02 = f32.load(src + 2 * tap);
      const g10 = f32.load(src + 3 * tap), g11 = f32.load(src + 4 * tap), g12 = f32.load(src + 5 * tap);
      const g20 = f32.load(src + 6 * tap), g21 = f32.load(src + 7 * tap), g22 = f32.load(src + 8 * tap);
      // t = G g, row by row; then each row r of t gives u[r] = t[r] Gᵀ.
      const dst = u + (<usize>(c * coutPadded + o) << 2);
      filterRow(dst, plane, 0, g00, g01, g02);
      filterRow(dst, plane, 1, 0.5 * (g00 + g10 + g20), 0.5 * (g01 + g11 + g21), 0.5 * (g02 + g12 + g22));
      filterRow(dst, plane, 2, 0.5 * (g00 - g10 + g20), 0.5 * (g01 - g11 + g21), 0.5 * (g02 - g12 + g22));
      filterRow(dst, plane, 3, g20, g21, g22);
    }
  }
}

/** u[r][s] = (t Gᵀ)[s] for s = 0..3, stored in planes 4r..4r+3. */
// @ts-ignore: decorator
@inline function filterRow(dst: usize, plane: usize, r: i32, t0: f32, t1: f32, t2: f32): void {
  const base = dst + <usize>(r * 4) * plane;
  f32.store(base, t0);
  f32.store(base + plane, 0.5 * (t0 + t1 + t2));
  f32.store(base + 2 * plane, 0.5 * (t0 - t1 + t2));
  f32.store(base + 3 * plane, t2);
}

/** Four channels of x at (row, col), zeros outside the image. */
// @ts-ignore: decorator
@inline function at(img: usize, row: i32, col: i32, h: i32, w: i32, pixel: usize): v128 {
  if (row < 0 || row >= h || col < 0 || col >= w) return f32x4.splat(0);
  return v128.load(img + <usize>(row * w + col) * pixel);
}

/**
 * One input tile's transform, V = Bᵀ d B, for every channel (four at a time). A tile wholly
 * inside the image, as most are, is read without bounds checks.
 */
function inputTile(img: usize, r0: i32, c0: i32, h: i32, w: i32, pixel: usize, cin: i32, v: usize, plane: usize): void {
  const inside = r0 >= 0 && c0 >= 0 && r0 + 4 <= h && c0 + 4 <= w;
  const row = <usize>w * pixel;
  const corner = img + <usize>(r0 * w + c0) * pixel;
  for (let c = 0; c < cin; c += 4) {
    const ch = <usize>c << 2;
    let d00: v128, d01: v128, d02: v128, d03: v128, d10: v128, d11: v128, d12: v128, d13: v128;
    let d20: v128, d21: v128, d22: v128, d23: v128, d30: v128, d31: v128, d32: v128, d33: v128;
    if (inside) {
      const p0 = corner + ch, p1 = p0 + row, p2 = p1 + row, p3 = p2 + row;
      d00 = v128.load(p0); d01 = v128.load(p0 + pixel); d02 = v128.load(p0 + 2 * pixel); d03 = v128.load(p0 + 3 * pixel);
      d10 = v128.load(p1); d11 = v128.load(p1 + pixel); d12 = v128.load(p1 + 2 * pixel); d13 = v128.load(p1 + 3 * pixel);
      d20 = v128.load(p2); d21 = v128.load(p2 + pixel); d22 = v128.load(p2 + 2 * pixel); d23 = v128.load(p2 + 3 * pixel);
      d30 = v128.load(p3); d31 = v128.load(p3 + pixel); d32 = v128.load(p3 + 2 * pixel); d33 = v128.load(p3 + 3 * pixel);
    } else {
      const p = img + ch;
      d00 = at(p, r0, c0, h, w, pixel); d01 = at(p, r0, c0 + 1, h, w, pixel);
      d02 = at(p, r0, c0 + 2, h, w, pixel); d03 = at(p, r0, c0 + 3, h, w, pixel);
      d10 = at(p, r0 + 1, c0, h, w, pixel); d11 = at(p, r0 + 1, c0 + 1, h, w, pixel);
      d12 = at(p, r0 + 1, c0 + 2, h, w, pixel); d13 = at(p, r0 + 1, c0 + 3, h, w, pixel);
      d20 = at(p, r0 + 2, c0, h, w, pixel); d21 = at(p, r0 + 2, c0 + 1, h, w, pixel);
      d22 = at(p, r0 + 2, c0 + 2, h, w, pixel); d23 = at(p, r0 + 2, c0 + 3, h, w, pixel);
      d30 = at(p, r0 + 3, c0, h, w, pixel); d31 = at(p, r0 + 3, c0 + 1, h, w, pixel);
      d32 = at(p, r0 + 3, c0 + 2, h, w, pixel); d33 = at(p, r0 + 3, c0 + 3, h, w, pixel);
    }
    // t = Bᵀ d, column by column: t0 = d0 − d2, t1 = d1 + d2, t2 = d2 − d1, t3 = d1 − d3 (rows of d).
    const vt = v + ch;
    storeRow(vt, plane, 0, f32x4.sub(d00, d20), f32x4.sub(d01, d21), f32x4.sub(d02, d22), f32x4.sub(d03, d23));
    storeRow(vt, plane, 1, f32x4.add(d10, d20), f32x4.add(d11, d21), f32x4.add(d12, d22), f32x4.add(d13, d23));
    storeRow(vt, plane, 2, f32x4.sub(d20, d10), f32x4.sub(d21, d11), f32x4.sub(d22, d12), f32x4.sub(d23, d13));
    storeRow(vt, plane, 3, f32x4.sub(d10, d30), f32x4.sub(d11, d31), f32x4.sub(d12, d32), f32x4.sub(d13, d33));
  }
}

/** Row i of V = t B: (t0 − t2, t1 + t2, t2 − t1, t1 − t3), into planes 4i..4i+3. */
// @ts-ignore: decorator
@inline function storeRow(v: usize, plane: usize, i: i32, t0: v128, t1: v128, t2: v128, t3: v128): void {
  const base = v + <usize>(i * 4) * plane;
  v128.store(base, f32x4.sub(t0, t2));
  v128.store(base + plane, f32x4.add(t1, t2));
  v128.store(base + 2 * plane, f32x4.sub(t2, t1));
  v128.store(base + 3 * plane, f32x4.sub(t1, t3));
}

/** One product tile's inverse transform, Aᵀ m A, for four output channels, written where it falls inside the output. */
function outputTile(m: usize, plane: usize, out: usize, oy: i32, ox: i32, ho: i32, wo: i32, pixel: usize, bias: v128, relu: bool): void {
  // s = Aᵀ m: s0 = m0 + m1 + m2, s1 = m1 − m2 − m3 (rows of m), column by column.
  const m00 = v128.load(m), m01 = v128.load(m + plane), m02 = v128.load(m + 2 * plane), m03 = v128.load(m + 3 * plane);
  const m10 = v128.load(m + 4 * plane), m11 = v128.load(m + 5 * plane), m12 = v128.load(m + 6 * plane), m13 = v128.load(m + 7 * plane);
  const m20 = v128.load(m + 8 * plane), m21 = v128.load(m + 9 * plane), m22 = v128.load(m + 10 * plane), m23 = v128.load(m + 11 * plane);
  const m30 = v128.load(m + 12 * plane), m31 = v128.load(m + 13 * plane), m32 = v128.load(m + 14 * plane), m33 = v128.load(m + 15 * plane);
  const s00 = f32x4.add(f32x4.add(m00, m10), m20), s01 = f32x4.add(f32x4.add(m01, m11), m21);
  const s02 = f32x4.add(f32x4.add(m02, m12), m22), s03 = f32x4.add(f32x4.add(m03, m13), m23);
  const s10 = f32x4.sub(f32x4.sub(m10, m20), m30), s11 = f32x4.sub(f32x4.sub(m11, m21), m31);
  const s12 = f32x4.sub(f32x4.sub(m12, m22), m32), s13 = f32x4.sub(f32x4.sub(m13, m23), m33);
  // y = s A: y[i][0] = s[i][0] + s[i][1] + s[i][2], y[i][1] = s[i][1] − s[i][2] − s[i][3].
  const base = out + <usize>(oy * wo + ox) * pixel;
  const right = ox + 1 < wo;
  v128.store(base, finish(f32x4.add(f32x4.add(s00, s01), s02), bias, relu));
  if (right) v128.store(base + pixel, finish(f32x4.sub(f32x4.sub(s01, s02), s03), bias, relu));
  if (oy + 1 < ho) {
    const below = base + <usize>wo * pixel;
    v128.store(below, finish(f32x4.add(f32x4.add(s10, s11), s12), bias, relu));
    if (right) v128.store(below + pixel, finish(f32x4.sub(f32x4.sub(s11, s12), s13), bias, relu));
  }
}

/** The bias added, then the ReLU when asked for (max keeps a NaN, as TF.js's ReLU does). */
// @ts-ignore: decorator
@inline function finish(y: v128, bias: v128, relu: bool): v128 {
  const biased = f32x4.add(y, bias);
  return relu ? f32x4.max(biased, f32x4.splat(0)) : biased;
}

/**
 * y [n, ho, wo, cout] = relu?(x [n, h, w, cin] ⊛ g + bias), with u = winogradFilter(g), `bias`
 * (cout floats) 0 for none, and the input read at
 * (2·tileRow − padTop + i, 2·tileCol − padLeft + j), zeros outside. `scratch` holds
 * 16 · (tileBlock · (cin + cout) + 32) floats.
 */
export function winogradConv3x3(x: usize, u: usize, y: usize, n: i32, h: i32, w: i32, cin: i32, ho: i32, wo: i32,
  cout: i32, padTop: i32, padLeft: i32, bias: usize, relu: bool, scratch: usize, tileBlock: i32): void {
  const tilesH = (ho + 1) >> 1, tilesW = (wo + 1) >> 1;
  const perImage = tilesH * tilesW;
  const tiles = n * perImage;
  const inPixel = <usize>cin << 2, outPixel = <usize>cout << 2;
  // One of the 16 transformed-input (product) planes of a block, each a cache line longer than
  // its tiles need: at a power-of-two stride, the 16 values of a tile would share one L1 set.
  const vPlane = <usize>tileBlock * inPixel + 64;
  const mPlane = <usize>tileBlock * outPixel + 64;
  const vBase = scratch, mBase = scratch + 16 * vPlane;
  const uPlane = <usize>cin * outPixel;
  for (let t0 = 0; t0 < tiles; t0 += tileBlock) {
    const count = min(tileBlock, tiles - t0);
    for (let t = 0; t < count; t++) {
      const tile = t0 + t;
      const img = tile / perImage, inImage = tile - img * perImage;
      const tr = inImage / tilesW, tc = inImage - tr * tilesW;
      const imgBase = x + <usize>img * <usize>(h * w) * inPixel;
      inputTile(imgBase, 2 * tr - padTop, 2 * tc - padLeft, h, w, inPixel, cin, vBase + <usize>t * inPixel, vPlane);
    }
    for (let p = 0; p < 16; p++) {
      const v = vBase + <usize>p * vPlane, m = mBase + <usize>p * mPlane, uP = u + <usize>p * uPlane;
      // m[tile][o] = Σ_c v[tile][c] · u[c][o]: rows are tiles, the sum runs over the input channels.
      let t = 0;
      for (; t + 4 <= count; t += 4) {
        const vt = v + <usize>t * inPixel, mt = m + <usize>t * outPixel;
        let o = 0;
        for (; o + 8 <= cout; o += 8) tile4x8(vt, inPixel, 4, uP + (<usize>o << 2), outPixel, cin, mt + (<usize>o << 2), outPixel, false);
        if (o < cout) tile4x4(vt, inPixel, 4, uP + (<usize>o << 2), outPixel, cin, mt + (<usize>o << 2), outPixel, false);
      }
      for (; t < count; t++) {
        const vt = v + <usize>t * inPixel, mt = m + <usize>t * outPixel;
        for (let o = 0; o < cout; o += 4) tile1x4(vt, 4, uP + (<usize>o << 2), outPixel, cin, mt + (<usize>o << 2), false);
      }
    }
    for (let t = 0; t < count; t++) {
      const tile = t0 + t;
      const img = tile / perImage, inImage = tile - img * perImage;
      const tr = inImage / tilesW, tc = inImage - tr * tilesW;
      const outImg = y + <usize>img * <usize>(ho * wo) * outPixel;
      for (let o = 0; o < cout; o += 4) {
        const b = bias == 0 ? f32x4.splat(0) : v128.load(bias + (<usize>o << 2));
        outputTile(mBase + <usize>t * outPixel + (<usize>o << 2), mPlane, outImg + (<usize>o << 2), 2 * tr, 2 * tc, ho, wo, outPixel, b, relu);
      }
    }
  }
}

const HALF: f32 = 0.5;

// The filter gradient by the same transforms: with Z = A dY Aᵀ for each 2×2 tile of the output's
// gradient (zeros past the output's edge),
//
//   dU[ξ][c][k] = Σ_tiles V[ξ][tile][c] · Z[ξ][tile][k],   dW = Gᵀ dU G,
//
// 16 GEMMs whose long reduction runs over the tiles, then one small transform per channel pair.

/** One gradient tile's transform, Z = A dY Aᵀ, for every output channel (four at a time). */
function gradientTile(img: usize, oy: i32, ox: i32, ho: i32, wo: i32, pixel: usize, cout: i32, z: usize, plane: usize): void {
  const right = ox + 1 < wo, below = oy + 1 < ho;
  const base = img + <usize>(oy * wo + ox) * pixel;
  const under = base + <usize>wo * pixel;
  const zero = f32x4.splat(0);
  for (let k = 0; k < cout; k += 4) {
    const ch = <usize>k << 2;
    const y00 = v128.load(base + ch);
    const y01 = right ? v128.load(base + pixel + ch) : zero;
    const y10 = below ? v128.load(under + ch) : zero;
    const y11 = right && below ? v128.load(under + pixel + ch) : zero;
    // Rows of A dY: (y0, y0 + y1, y0 − y1, −y1) with y0, y1 the rows of dY; then the same on each row's two columns.
    const zt = z + ch;
    gradientRow(zt, plane, 0, y00, y01);
    gradientRow(zt, plane, 1, f32x4.add(y00, y10), f32x4.add(y01, y11));
    gradientRow(zt, plane, 2, f32x4.sub(y00, y10), f32x4.sub(y01, y11));
    gradientRow(zt, plane, 3, f32x4.neg(y10), f32x4.neg(y11));
  }
}

/** Row i of Z: (r0, r0 + r1, r0 − r1, −r1), into planes 4i..4i+3. */
// @ts-ignore: decorator
@inline function gradientRow(z: usize, plane: usize, i: i32, r0: v128, r1: v128): void {
  const base = z + <usize>(i * 4) * plane;
  v128.store(base, r0);
  v128.store(base + plane, f32x4.add(r0, r1));
  v128.store(base + 2 * plane, f32x4.sub(r0, r1));
  v128.store(base + 3 * plane, f32x4.neg(r1));
}

/**
 * dw [3, 3, cinReal, coutReal] (HWIO) of y = x ⊛ w, from x [n, h, w, cin] and dy [n, ho, wo, cout]
 * (channels padded to multiples of 4; the padded ones are left out of dw). `du` holds
 * 16 · cin · cout floats, `scratch` 16 · (tileBlock · (cin + cout) + 32).
 */
export function winogradFilterGrad(x: usize, dy: usize, dw: usize, n: i32, h: i32, w: i32, cin: i32, ho: i32, wo: i32,
  cout: i32, padTop: i32, padLeft: i32, cinReal: i32, coutReal: i32, du: usize, scratch: usize, tileBlock: i32): void {
  const tilesH = (ho + 1) >> 1, tilesW = (wo + 1) >> 1;
  const perImage = tilesH * tilesW;
  const tiles = n * perImage;
  const inPixel = <usize>cin << 2, outPixel = <usize>cout << 2;
  const vPlane = <usize>tileBlock * inPixel + 64; // a cache line longer than needed: see winogradConv3x3
  const zPlane = <usize>tileBlock * outPixel + 64;
  const vBase = scratch, zBase = scratch + 16 * vPlane;
  const duPlane = <usize>cin * outPixel;
  memory.fill(du, 0, 16 * duPlane);
  for (let t0 = 0; t0 < tiles; t0 += tileBlock) {
    const count = min(tileBlock, tiles - t0);
    for (let t = 0; t < count; t++) {
      const tile = t0 + t;
      const img = tile / perImage, inImage = tile - img * perImage;
      const tr = inImage / tilesW, tc = inImage - tr * tilesW;
      inputTile(x + <usize>img * <usize>(h * w) * inPixel, 2 * tr - padTop, 2 * tc - padLeft, h, w, inPixel, cin,
        vBase + <usize>t * inPixel, vPlane);
      gradientTile(dy + <usize>img * <usize>(ho * wo) * outPixel, 2 * tr, 2 * tc, ho, wo, outPixel, cout,
        zBase + <usize>t * outPixel, zPlane);
    }
    for (let p = 0; p < 16; p++) {
      const v = vBase + <usize>p * vPlane, z = zBase + <usize>p * zPlane, duP = du + <usize>p * duPlane;
      // du[c][k] += Σ_tile v[tile][c] · z[tile][k]: rows are input channels, the sum runs over the tiles.
      for (let c = 0; c < cin; c += 4) {
        const vc = v + (<usize>c << 2), duc = duP + <usize>c * outPixel;
        let k = 0;
        for (; k + 8 <= cout; k += 8) tile4x8(vc, 4, inPixel, z + (<usize>k << 2), outPixel, count, duc + (<usize>k << 2), outPixel, true);
        if (k < cout) tile4x4(vc, 4, inPixel, z + (<usize>k << 2), outPixel, count, duc + (<usize>k << 2), outPixel, true);
      }
    }
  }
  // dW = Gᵀ dU G with Gᵀ = [1 ½ ½ 0; 0 ½ −½ 0; 0 ½ ½ 1].
  const tap = <usize>(cinReal * coutReal) << 2;
  for (let c = 0; c < cinReal; c++) {
    for (let k = 0; k < coutReal; k++) {
      const src = du + <usize>c * outPixel + (<usize>k << 2);
      const dst = dw + (<usize>(c * coutReal + k) << 2);
      // q = Gᵀ dU (3 × 4), column by column; then each row of q gives three taps (q G).
      const u00 = f32.load(src), u01 = f32.load(src + duPlane), u02 = f32.load(src + 2 * duPlane), u03 = f32.load(src + 3 * duPlane);
      const u10 = f32.load(src + 4 * duPlane), u11 = f32.load(src + 5 * duPlane);
      const u12 = f32.load(src + 6 * duPlane), u13 = f32.load(src + 7 * duPlane);
      const u20 = f32.load(src + 8 * duPlane), u21 = f32.load(src + 9 * duPlane);
      const u22 = f32.load(src + 10 * duPlane), u23 = f32.load(src + 11 * duPlane);
      const u30 = f32.load(src + 12 * duPlane), u31 = f32.load(src + 13 * duPlane);
      const u32 = f32.load(src + 14 * duPlane), u33 = f32.load(src + 15 * duPlane);
      const q00 = u00 + HALF * (u10 + u20), q01 = u01 + HALF * (u11 + u21), q02 = u02 + HALF * (u12 + u22), q03 = u03 + HALF * (u13 + u23);
      const q10 = HALF * (u10 - u20), q11 = HALF * (u11 - u21), q12 = HALF * (u12 - u22), q13 = HALF * (u13 - u23);
      const q20 = HALF * (u10 + u20) + u30, q21 = HALF * (u11 + u21) + u31, q22 = HALF * (u12 + u22) + u32, q23 = HALF * (u13 + u23) + u33;
      storeTaps(dst, tap, 0, q00, q01, q02, q03);
      storeTaps(dst, tap, 1, q10, q11, q12, q13);
      storeTaps(dst, tap, 2, q20, q21, q22, q23);
    }
  }
}

/** Taps (a, 0..2) of dW from row a of q: (q0 + ½(q1 + q2), ½(q1 − q2), ½(q1 + q2) + q3). */
// @ts-ignore: decorator
@inline function storeTaps(dst: usize, tap: usize, a: i32, q0: f32, q1: f32, q2: f32, q3: f32): void {
  const base = dst + <usize>(a * 3) * tap;
  f32.store(base, q0 + 0.5 * (q1 + q2));
  f32.store(base + tap, 0.5 * (q1 - q2));
  f32.store(base + 2 * tap, 0.5 * (q1 + q2) + q3);
}
