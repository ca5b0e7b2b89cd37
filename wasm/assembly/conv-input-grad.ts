// The input gradient of a strided 2-D convolution (NHWC):
//
//   dx[n, i·sh + a − padTop, j·sw + b − padLeft, c] += Σ_o dy[n, i, j, o] · W[a, b, c, o]
//
// For each filter tap, a GEMM (pixels × Cout) · (Cout × Cin) whose results land on a strided
// grid of dx; the taps' grids overlap, so each tile adds into dx. The register tile
// (register-tile.ts) is 4 output pixels × 8 input channels: per output channel o, four broadcast
// dy values and two vectors of the transposed filter feed eight multiply-adds. With stride 1 a
// forward convolution of the flipped filter is faster, and the caller uses that instead.
//
// The caller passes the filter transposed to [kh, kw, Cout, Cin] and Cin as a multiple of 4
// (dx then has that many channels; the caller crops the padding).
import { endInside, firstInside } from './conv-geometry';
import { tile1x4, tile4x8 } from './register-tile';

export function conv2dInputGrad(dy: usize, wt: usize, dx: usize, n: i32, h: i32, w: i32, cin: i32,
  ho: i32, wo: i32, cout: i32, kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32): void {
  memory.fill(dx, 0, (<usize>(n * h * w * cin)) << 2);
  const dxImage = (<usize>(h * w * cin)) << 2;
  const dyImage = (<usize>(ho * wo * cout)) << 2;
  const dyPixel = <usize>cout << 2;
  const wRow = <usize>cin << 2;
  const dxPixel = (<usize>(sw * cin)) << 2;
  const dxRowStep = (<usize>(sh * w * cin)) << 2;
  const cin8 = cin & ~7;
  for (let b = 0; b < n; b++) {
    const dxImg = dx + <usize>b * dxImage;
    const dyImg = dy + <usize>b * dyImage;
    for (let a = 0; a < kh; a++) {
      const i0 = firstInside(a, padTop, sh);
      const i1 = endInside(a, padTop, sh, h, ho);
      for (let t = 0; t < kw; t++) {
        const j0 = firstInside(t, padLeft, sw);
        const j1 = endInside(t, padLeft, sw, w, wo);
        if (i0 >= i1 || j0 >= j1) continue;
        // dx at output pixel (0, 0) for this tap, possibly outside the image: only pixels in
        // i0..i1 × j0..j1 are written.
        const dxTap = dxImg + ((<usize>((a - padTop) * w + (t - padLeft)) * <usize>cin) << 2);
        const wTap = wt + ((<usize>((a * kw + t) * cout * cin)) << 2);
        for (let i = i0; i < i1; i++) {
          const dxRow = dxTap + <usize>i * dxRowStep;
          const dyRow = dyImg + (<usize>(i * wo)) * dyPixel;
          let j = j0;
          for (; j + 4 <= j1; j += 4) {
            const dyp = dyRow + <usize>j * dyPixel;
            const dxp = dxRow + <usize>j * dxPixel;
            let c = 0;
            for (; c < cin8; c += 8) tile4x8(dyp, dyPixel, 4, wTap + (<usize>c << 2), wRow, cout, dxp + (<usize>c << 2), dxPixel, true);
            for (; c < cin; c += 4) {
              for (let p = 0; p < 4; p++) {
                tile1x4(dyp + <usize>p * dyPixel, 4, wTap + (<usize>c << 2), wRow, cout, dxp + <usize>p * dxPixel + (<usize>c << 2), true);
              }
            }
          }
          for (; j < j1; j++) {
            const dyp = dyRow + <usize>j * dyPixel;
            const dxp = dxRow + <usize>j * dxPixel;
            for (let c = 0; c < cin; c += 4) tile1x4(dyp, 4, wTap + (<usize>c << 2), wRow, cout, dxp + (<usize>c << 2), true);
          }
        }
      }
    }
  }
}
