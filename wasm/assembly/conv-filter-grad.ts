// The filter gradient of a 2-D convolution (NHWC, filter [kh, kw, Cin, Cout]):
//
//   dW[a, b, c, o] = Σ_{n,i,j} x[n, i·sh + a − padTop, j·sw + b − padLeft, c] · dy[n, i, j, o]
//
// For each filter tap this is a small GEMM, (Cin × pixels) · (pixels × Cout), whose long
// reduction runs over the batch's output pixels. The register tile is 4 input channels × 8
// output channels: per pixel, two dy vectors and four broadcast x values feed eight
// multiply-adds. Work goes image by image so that the image's x and dy stay in cache while
// every tap sweeps them, and only the pixels a tap reads inside the image are visited (the
// zero padding contributes nothing).
//
// The caller passes Cout as a multiple of 4 (it pads dy when it is not) and byte offsets into
// the memory it shares with this module.

import { endInside, firstInside } from './conv-geometry';

/** Accumulates 4 input channels × 8 output channels of one tap over the pixels i0..i1 × j0..j1. */
function tile4x8(xTap: usize, dyImg: usize, out: usize, rowStepX: usize, colStepX: usize, cout: i32,
  i0: i32, i1: i32, j0: i32, j1: i32, wo: i32): void {
  const outRow = <usize>cout << 2;
  let a0 = v128.load(out), b0 = v128.load(out, 16);
  let a1 = v128.load(out + outRow), b1 = v128.load(out + outRow, 16);
  let a2 = v128.load(out + 2 * outRow), b2 = v128.load(out + 2 * outRow, 16);
  let a3 = v128.load(out + 3 * outRow), b3 = v128.load(out + 3 * outRow, 16);
  const dyPixel = <usize>cout << 2;
  for (let i = i0; i < i1; i++) {
    let xp = xTap + <usize>i * rowStepX + <usize>j0 * colStepX;
    let dp = dyImg + (<usize>(i * wo + j0)) * dyPixel;
    for (let j = j0; j < j1; j++) {
      const d0 = v128.load(dp), d1 = v128.load(dp, 16);
      const x0 = v128.load32_splat(xp), x1 = v128.load32_splat(xp, 4);
      const x2 = v128.load32_splat(xp, 8), x3 = v128.load32_splat(xp, 12);
      a0 = f32x4.add(a0, f32x4.mul(x0, d0)); b0 = f32x4.add(b0, f32x4.mul(x0, d1));
      a1 = f32x4.add(a1, f32x4.mul(x1, d0)); b1 = f32x4.add(b1, f32x4.mul(x1, d1));
      a2 = f32x4.add(a2, f32x4.mul(x2, d0)); b2 = f32x4.add(b2, f32x4.mul(x2, d1));
      a3 = f32x4.add(a3, f32x4.mul(x3, d0)); b3 = f32x4.add(b3, f32x4.mul(x3, d1));
      xp += colStepX;
      dp += dyPixel;
    }
  }
  v128.store(out, a0); v128.store(out, b0, 16);
  v128.store(out + outRow, a1); v128.store(out + outRow, b1, 16);
  v128.store(out + 2 * outRow, a2); v128.store(out + 2 * outRow, b2, 16);
  v128.store(out + 3 * outRow, a3); v128.store(out + 3 * outRow, b3, 16);
}

/** 4 input channels × 4 output channels (the last block when Cout is 4 mod 8). */
function tile4x4(xTap: usize, dyImg: usize, out: usize, rowStepX: usize, colStepX: usize, cout: i32,
  i0: i32, i1: i32, j0: i32, j1: i32, wo: i32): void {
  const outRow = <usize>cout << 2;
  let a0 = v128.load(out), a1 = v128.load(out + outRow);
  let a2 = v128.load(out + 2 * outRow), a3 = v128.load(out + 3 * outRow);
  const dyPixel = <usize>cout << 2;
  for (let i = i0; i < i1; i++) {
    let xp = xTap + <usize>i * rowStepX + <usize>j0 * colStepX;
    let dp = dyImg + (<usize>(i * wo + j0)) * dyPixel;
    for (let j = j0; j < j1; j++) {
      const d0 = v128.load(dp);
      a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp), d0));
      a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(xp, 4), d0));
      a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(xp, 8), d0));
      a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(xp, 12), d0));
      xp += colStepX;
      dp += dyPixel;
    }
  }
  v128.store(out, a0); v128.store(out + outRow, a1);
  v128.store(out + 2 * outRow, a2); v128.store(out + 3 * outRow, a3);
}

/** One input channel × 4 output channels (input channels past the last multiple of 4). */
function tile1x4(xTap: usize, dyImg: usize, out: usize, rowStepX: usize, colStepX: usize, cout: i32,
  i0: i32, i1: i32, j0: i32, j1: i32, wo: i32): void {
  let acc = v128.load(out);
  const dyPixel = <usize>cout << 2;
  for (let i = i0; i < i1; i++) {
    let xp = xTap + <usize>i * rowStepX + <usize>j0 * colStepX;
    let dp = dyImg + (<usize>(i * wo + j0)) * dyPixel;
    for (let j = j0; j < j1; j++) {
      acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(xp), v128.load(dp)));
      xp += colStepX;
      dp += dyPixel;
    }
  }
  v128.store(out, acc);
}

export function conv2dFilterGrad(x: usize, dy: usize, dw: usize, n: i32, h: i32, w: i32, cin: i32,
  ho: i32, wo: i32, cout: i32, kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32): void {
  memory.fill(dw, 0, (<usize>(kh * kw * cin * cout)) << 2);
  const xImage = (<usize>(h * w * cin)) << 2;
  const dyImage = (<usize>(ho * wo * cout)) << 2;
  const colStepX = (<usize>(sw * cin)) << 2;
  const rowStepX = (<usize>(sh * w * cin)) << 2;
  for (let b = 0; b < n; b++) {
    const xImg = x + <usize>b * xImage;
    const dyImg = dy + <usize>b * dyImage;
    for (let a = 0; a < kh; a++) {
      // Output rows i whose input row i·sh + a − padTop lies inside the image.
      const i0 = firstInside(a, padTop, sh);
      const i1 = endInside(a, padTop, sh, h, ho);
      if (i0 >= i1) continue;
      for (let t = 0; t < kw; t++) {
        const j0 = firstInside(t, padLeft, sw);
        const j1 = endInside(t, padLeft, sw, w, wo);
        if (j0 >= j1) continue;
        // x at output pixel (0, 0) for this tap, possibly outside the image: only pixels in
        // i0..i1 × j0..j1 are read.
        const xTap = xImg + ((<isize>((a - padTop) * w + (t - padLeft)) * <isize>cin) << 2);
        const outTap = dw + ((<usize>((a * kw + t) * cin * cout)) << 2);
        let c = 0;
        for (; c + 4 <= cin; c += 4) {
          const xc = xTap + (<usize>c << 2);
          const outC = outTap + ((<usize>(c * cout)) << 2);
          let o = 0;
          for (; o + 8 <= cout; o += 8) {
            tile4x8(xc, dyImg + (<usize>o << 2), outC + (<usize>o << 2), rowStepX, colStepX, cout, i0, i1, j0, j1, wo);
          }
          if (o < cout) {
            tile4x4(xc, dyImg + (<usize>o << 2), outC + (<usize>o << 2), rowStepX, colStepX, cout, i0, i1, j0, j1, wo);
          }
        }
        for (; c < cin; c++) {
          const xc = xTap + (<usize>c << 2);
          const outC = outTap + ((<usize>(c * cout)) << 2);
          for (let o = 0; o < cout; o += 4) {
            tile1x4(xc, dyImg + (<usize>o << 2), outC + (<usize>o << 2), rowStepX, colStepX, cout, i0, i1, j0, j1, wo);
          }
        }
      }
    }
  }
}
