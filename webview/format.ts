/** Tensor shapes as the panel writes them; numbers use src/core/format.ts like everywhere else. */

export function shape(shape: readonly number[]): string {
  return shape.join('×');
}
