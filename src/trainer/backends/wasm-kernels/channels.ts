/**
 * The SIMD kernels work on channel counts in multiples of 4. These pad a channels-last tensor's
 * last axis with zeros before a kernel and crop it again after (wasm/assembly/copy-channels.ts).
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, sizeOf } from './heap';
import { simdKernels } from './module';

export function roundUp4(channels: number): number {
  return Math.ceil(channels / 4) * 4;
}

/**
 * `t` with `channels` on its last axis: zeros added after its own, or the last ones dropped.
 * `t` itself when it has that many already; a new tensor is the caller's to dispose.
 */
export function withChannels(backend: BackendWasm, t: TensorInfo, channels: number): TensorInfo {
  const have = t.shape[t.shape.length - 1];
  if (have === channels) return t;
  const out = backend.makeOutput([...t.shape.slice(0, -1), channels], 'float32');
  simdKernels(backend).copyChannels(heapOffset(backend, t), heapOffset(backend, out), sizeOf(t.shape) / have, have, channels);
  return out;
}
