// Copies `pixels` rows of `srcC` channels into rows of `dstC` channels: the first min(srcC, dstC)
// channels of each row, and zeros after them when dstC is larger. The convolution-gradient
// kernels work on channel counts in multiples of 4; this pads their inputs and crops their
// outputs.

export function copyChannels(src: usize, dst: usize, pixels: i32, srcC: i32, dstC: i32): void {
  const srcRow = <usize>srcC << 2;
  const dstRow = <usize>dstC << 2;
  const copied = srcRow < dstRow ? srcRow : dstRow;
  for (let p = 0; p < pixels; p++) {
    const to = dst + <usize>p * dstRow;
    memory.copy(to, src + <usize>p * srcRow, copied);
    if (dstRow > copied) memory.fill(to + copied, 0, dstRow - copied);
  }
}
