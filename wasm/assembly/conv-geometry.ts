// Which output positions of a convolution read a given filter tap inside the input.

// @ts-ignore: decorator
@inline export function ceilDiv(a: i32, b: i32): i32 {
  return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

// @ts-ignore: decorator
@inline export function floorDiv(a: i32, b: i32): i32 {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/** First output position i (≥ 0) whose input position i·stride + tap − pad is ≥ 0. */
// @ts-ignore: decorator
@inline export function firstInside(tap: i32, pad: i32, stride: i32): i32 {
  return max(0, ceilDiv(pad - tap, stride));
}

/** One past the last output position (< outSize) whose input position is < inSize. */
// @ts-ignore: decorator
@inline export function endInside(tap: i32, pad: i32, stride: i32, inSize: i32, outSize: i32): i32 {
  return min(outSize, floorDiv(inSize - 1 + pad - tap, stride) + 1);
}
