// Shared by the native backend tests: registers the backend (a missing addon fails the
// suite with the build instructions), runs the same computation on 'cpu' and 'native', and
// compares with a relative error bound.
import * as assert from 'node:assert/strict';

import * as tf from '@tensorflow/tfjs';

import { loadNativeAddon, registerNativeBackend } from '../../../src/trainer/backends/native';
import type { NativeAddon } from '../../../src/trainer/backends/native';

export const TOLERANCE = 1e-4;

export async function useNativeBackend(): Promise<void> {
  await registerNativeBackend();
  await tf.setBackend('native');
}

/** Deterministic pseudo-random values in [-1, 1) so cpu and native see identical inputs. */
export function randomValues(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** max |a - b| / max |b|: the error measure every kernel comparison uses. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length, 'result sizes differ');
  let diff = 0, scale = 0;
  for (let i = 0; i < expected.length; i++) {
    if (Number.isNaN(expected[i]) !== Number.isNaN(actual[i])) return Infinity;
    if (Number.isNaN(expected[i])) continue;
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/**
 * Runs `compute` under 'cpu' and under 'native' (inputs are rebuilt from plain arrays each
 * time) and asserts every output tensor agrees within TOLERANCE.
 */
export async function expectSameOnBothBackends(label: string, compute: () => tf.Tensor | tf.Tensor[],
  tolerance = TOLERANCE): Promise<void> {
  const results: Record<string, { shape: number[]; values: Float32Array | Int32Array | Uint8Array }[]> = {};
  for (const backend of ['cpu', 'native']) {
    await tf.setBackend(backend);
    const outputs = tf.tidy(() => {
      const out = compute();
      return Array.isArray(out) ? out : [out];
    });
    results[backend] = outputs.map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array }));
    tf.dispose(outputs);
  }
  await tf.setBackend('native');
  assert.equal(results.native.length, results.cpu.length, `${label}: output count`);
  results.cpu.forEach((expected, i) => {
    const actual = results.native[i];
    assert.deepEqual(actual.shape, expected.shape, `${label}: output ${i} shape`);
    const err = relativeError(actual.values, expected.values);
    assert.ok(err <= tolerance, `${label}: output ${i} relative error ${err} > ${tolerance}`);
  });
}

/** Counts calls of one addon function while `body` runs, to prove the native path was taken. */
export async function countAddonCalls(name: keyof NativeAddon, body: () => Promise<void>): Promise<number> {
  const addon = loadNativeAddon() as unknown as Record<string, (...args: unknown[]) => unknown>;
  const original = addon[name];
  let calls = 0;
  addon[name] = (...args: unknown[]) => {
    calls++;
    return original(...args);
  };
  try {
    await body();
  } finally {
    addon[name] = original;
  }
  return calls;
}
