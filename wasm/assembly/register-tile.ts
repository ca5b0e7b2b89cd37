// The register tiles the GEMM-shaped kernels share. Each computes
//
//   out[r][col] (+)= Σ_{i < count} a_i[r] · b_i[col]
//
// where a_i holds one float per row of the tile (`aLane` bytes apart, a_{i+1} `aStep` bytes
// after a_i), b_i a run of columns (b_{i+1} `bStep` bytes after b_i), and out's rows are `outRow`
// bytes apart. With `add` the tile adds to what `out` holds, otherwise it overwrites it. Per
// step, broadcast a values and column vectors feed the multiply-adds; the accumulators stay in
// registers for the whole sum. Inlined, so that the strides a call site passes as constants
// become the loads' immediate offsets.

/** 4 rows × 8 columns: eight accumulators. */
// @ts-ignore: decorator
@inline export function tile4x8(a: usize, aLane: usize, aStep: usize, b: usize, bStep: usize, count: i32, out: usize, outRow: usize,
  add: bool): void {
  const zero = f32x4.splat(0);
  let a0 = add ? v128.load(out) : zero, b0 = add ? v128.load(out, 16) : zero;
  let a1 = add ? v128.load(out + outRow) : zero, b1 = add ? v128.load(out + outRow, 16) : zero;
  let a2 = add ? v128.load(out + 2 * outRow) : zero, b2 = add ? v128.load(out + 2 * outRow, 16) : zero;
  let a3 = add ? v128.load(out + 3 * outRow) : zero, b3 = add ? v128.load(out + 3 * outRow, 16) : zero;
  let ap = a, bp = b;
  for (let i = 0; i < count; i++) {
    const c0 = v128.load(bp), c1 = v128.load(bp, 16);
    const x0 = v128.load32_splat(ap), x1 = v128.load32_splat(ap + aLane);
    const x2 = v128.load32_splat(ap + 2 * aLane), x3 = v128.load32_splat(ap + 3 * aLane);
    a0 = f32x4.add(a0, f32x4.mul(x0, c0)); b0 = f32x4.add(b0, f32x4.mul(x0, c1));
    a1 = f32x4.add(a1, f32x4.mul(x1, c0)); b1 = f32x4.add(b1, f32x4.mul(x1, c1));
    a2 = f32x4.add(a2, f32x4.mul(x2, c0)); b2 = f32x4.add(b2, f32x4.mul(x2, c1));
    a3 = f32x4.add(a3, f32x4.mul(x3, c0)); b3 = f32x4.add(b3, f32x4.mul(x3, c1));
    ap += aStep;
    bp += bStep;
  }
  v128.store(out, a0); v128.store(out, b0, 16);
  v128.store(out + outRow, a1); v128.store(out + outRow, b1, 16);
  v128.store(out + 2 * outRow, a2); v128.store(out + 2 * outRow, b2, 16);
  v128.store(out + 3 * outRow, a3); v128.store(out + 3 * outRow, b3, 16);
}

/** 4 rows × 4 columns: the last block when the columns are 4 mod 8. */
// @ts-ignore: decorator
@inline export function tile4x4(a: usize, aLane: usize, aStep: usize, b: usize, bStep: usize, count: i32, out: usize, outRow: usize,
  add: bool): void {
  const zero = f32x4.splat(0);
  let a0 = add ? v128.load(out) : zero, a1 = add ? v128.load(out + outRow) : zero;
  let a2 = add ? v128.load(out + 2 * outRow) : zero, a3 = add ? v128.load(out + 3 * outRow) : zero;
  let ap = a, bp = b;
  for (let i = 0; i < count; i++) {
    const c0 = v128.load(bp);
    a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(ap), c0));
    a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(ap + aLane), c0));
    a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(ap + 2 * aLane), c0));
    a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(ap + 3 * aLane), c0));
    ap += aStep;
    bp += bStep;
  }
  v128.store(out, a0); v128.store(out + outRow, a1); v128.store(out + 2 * outRow, a2); v128.store(out + 3 * outRow, a3);
}

/** 1 row × 4 columns: the rows left over after the blocks of four. */
// @ts-ignore: decorator
@inline export function tile1x4(a: usize, aStep: usize, b: usize, bStep: usize, count: i32, out: usize, add: bool): void {
  let acc = add ? v128.load(out) : f32x4.splat(0);
  let ap = a, bp = b;
  for (let i = 0; i < count; i++) {
    acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(ap), v128.load(bp)));
    ap += aStep;
    bp += bStep;
  }
  v128.store(out, acc);
}
