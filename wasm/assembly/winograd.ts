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

/** m[4 tiles][8 outputs] = v[4 tiles][cin] · u[cin][8 outputs]. */
function gemm4x8(v: usize, u: usize, m: usize, cin: i32, vRow: usize, uRow: usize, mRow: usize): void {
  let a0 = f32x4.splat(0), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
  let vp = v, up = u;
  for (let c = 0; c < cin; c++) {
    const u0 = v128.load(up), u1 = v128.load(up, 16);
    const x0 = v128.load32_splat(vp), x1 = v128.load32_splat(vp + vRow);
    const x2 = v128.load32_splat(vp + 2 * vRow), x3 = v128.load32_splat(vp + 3 * vRow);
    a0 = f32x4.add(a0, f32x4.mul(x0, u0)); b0 = f32x4.add(b0, f32x4.mul(x0, u1));
    a1 = f32x4.add(a1, f32x4.mul(x1, u0)); b1 = f32x4.add(b1, f32x4.mul(x1, u1));
    a2 = f32x4.add(a2, f32x4.mul(x2, u0)); b2 = f32x4.add(b2, f32x4.mul(x2, u1));
    a3 = f32x4.add(a3, f32x4.mul(x3, u0)); b3 = f32x4.add(b3, f32x4.mul(x3, u1));
    vp += 4;
    up += uRow;
  }
  v128.store(m, a0); v128.store(m, b0, 16);
  v128.store(m + mRow, a1); v128.store(m + mRow, b1, 16);
  v128.store(m + 2 * mRow, a2); v128.store(m + 2 * mRow, b2, 16);
  v128.store(m + 3 * mRow, a3); v128.store(m + 3 * mRow, b3, 16);
}

/** 4 tiles × 4 outputs: the last block when cout is 4 mod 8. */
function gemm4x4(v: usize, u: usize, m: usize, cin: i32, vRow: usize, uRow: usize, mRow: usize): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
  let vp = v, up = u;
  for (let c = 0; c < cin; c++) {
    const u0 = v128.load(up);
    a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(vp), u0));
    a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(vp + vRow), u0));
    a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(vp + 2 * vRow), u0));
    a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(vp + 3 * vRow), u0));
    vp += 4;
    up += uRow;
  }
  v128.store(m, a0);
  v128.store(m + mRow, a1);
  v128.store(m + 2 * mRow, a2);
  v128.store(m + 3 * mRow, a3);
}

/** 1 tile × 4 outputs: the tiles left over after the blocks of four. */
function gemm1x4(v: usize, u: usize, m: usize, cin: i32, uRow: usize): void {
  let a0 = f32x4.splat(0);
  let vp = v, up = u;
  for (let c = 0; c < cin; c++) {
    a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(vp), v128.load(up)));
    vp += 4;
    up += uRow;
  }
  v128.store(m, a0);
}

/** One product tile's inverse transform, Aᵀ m A, for four output channels, written where it falls inside the output. */
function outputTile(m: usize, plane: usize, out: usize, oy: i32, ox: i32, ho: i32, wo: i32, pixel: usize): void {
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
  v128.store(base, f32x4.add(f32x4.add(s00, s01), s02));
  if (right) v128.store(base + pixel, f32x4.sub(f32x4.sub(s01, s02), s03));
  if (oy + 1 < ho) {
    const below = base + <usize>wo * pixel;
    v128.store(below, f32x4.add(f32x4.add(s10, s11), s12));
    if (right) v128.store(below + pixel, f32x4.sub(f32x4.sub(s11, s12), s13));
  }
}

/**
 * y [n, ho, wo, cout] = x [n, h, w, cin] ⊛ g, with u = winogradFilter(g) and the input read at
 * (2·tileRow − padTop + i, 2·tileCol − padLeft + j), zeros outside. `scratch` holds
 * 16 · (tileBlock · (cin + cout) + 32) floats.
 */
export function winogradConv3x3(x: usize, u: usize, y: usize, n: i32, h: i32, w: i32, cin: i32, ho: i32, wo: i32,
  cout: i32, padTop: i32, padLeft: i32, scratch: usize, tileBlock: i32): void {
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
      let t = 0;
      for (; t + 4 <= count; t += 4) {
        let o = 0;
        for (; o + 8 <= cout; o += 8) {
          gemm4x8(v + <usize>t * inPixel, uP + (<usize>o << 2), m + <usize>t * outPixel + (<usize>o << 2), cin, inPixel, outPixel, outPixel);
        }
        if (o < cout) gemm4x4(v + <usize>t * inPixel, uP + (<usize>o << 2), m + <usize>t * outPixel + (<usize>o << 2), cin, inPixel, outPixel, outPixel);
      }
      for (; t < count; t++) {
        for (let o = 0; o < cout; o += 4) {
          gemm1x4(v + <usize>t * inPixel, uP + (<usize>o << 2), m + <usize>t * outPixel + (<usize>o << 2), cin, outPixel);
        }
      }
    }
    for (let t = 0; t < count; t++) {
      const tile = t0 + t;
      const img = tile / perImage, inImage = tile - img * perImage;
      const tr = inImage / tilesW, tc = inImage - tr * tilesW;
      const outImg = y + <usize>img * <usize>(ho * wo) * outPixel;
      for (let o = 0; o < cout; o += 4) {
        outputTile(mBase + <usize>t * outPixel + (<usize>o << 2), mPlane, outImg + (<usize>o << 2), 2 * tr, 2 * tc, ho, wo, outPixel);
      }
    }
  }
}
