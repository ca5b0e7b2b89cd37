// dy · step(x) in one pass, as TF.js computes it with step and mul: dy·1 where x > 0, dy·0
// (a signed zero) elsewhere, and NaN where x is NaN, because TF.js's step passes NaN through.

export function reluGrad(dy: usize, x: usize, out: usize, size: i32): void {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const vectorEnd = <usize>(size & ~3) << 2;
  let k: usize = 0;
  for (; k < vectorEnd; k += 16) {
    const b = v128.load(x + k);
    const step = v128.bitselect(b, v128.and(one, f32x4.gt(b, zero)), f32x4.ne(b, b));
    v128.store(out + k, f32x4.mul(v128.load(dy + k), step));
  }
  const end = <usize>size << 2;
  for (; k < end; k += 4) {
    const b = load<f32>(x + k);
    const step: f32 = b != b ? b : (b > 0 ? 1 : 0);
    store<f32>(out + k, load<f32>(dy + k) * step);
  }
}
