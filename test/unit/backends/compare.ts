/** Helpers shared by the backend tests: running the same computation on two backends. */
import * as tf from '@tensorflow/tfjs';
import { initWasmBackend } from '../../../src/trainer/backends/wasm-init';

/** max|a − b| / max|b|: the error measure every kernel check uses. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return Number.isNaN(diff) ? Infinity : diff / Math.max(scale, 1e-30);
}

export async function useBackend(name: 'wasm' | 'cpu'): Promise<void> {
  if (name === 'wasm') await initWasmBackend();
  else if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend did not start');
}

/** Deterministic values in [−1, 1], different for every seed. */
export function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed * 2654435761;
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    out[i] = (state / 1073741824) - 1;
  }
  return out;
}

/** Runs `compute` on `backend` and returns its outputs as plain arrays (tensors disposed). */
export async function runOn(backend: 'wasm' | 'cpu', compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  await useBackend(backend);
  const outputs = tf.tidy(compute);
  try {
    return await Promise.all(outputs.map(async (t) => (await t.data()) as Float32Array));
  } finally {
    tf.dispose(outputs);
  }
}
