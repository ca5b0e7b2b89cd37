/**
 * What the SIMD kernels need from a TF.js wasm backend: where a tensor lives in its heap,
 * temporary heap memory, and checks that keep a kernel from writing past a tensor (the heap
 * has no bounds between tensors, so a wrong size would corrupt a neighbour silently).
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Byte offset of `info`'s values in the backend's heap. */
export function heapOffset(backend: BackendWasm, info: TensorInfo): number {
  return backend.dataIdMap.get(info.dataId).memoryOffset;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The named inputs, each present and float32. */
export function float32Inputs(kernel: string, inputs: Record<string, TensorInfo | undefined>, names: readonly string[]): TensorInfo[] {
  return names.map((name) => {
    const info = inputs[name];
    if (info === undefined) throw new Error(`${kernel} on wasm: input '${name}' is missing`);
    if (info.dtype !== 'float32') throw new Error(`${kernel} on wasm: input '${name}' is ${info.dtype}; only float32 is supported`);
    return info;
  });
}

/** A new float32 tensor of `shape` holding zeros (the gradient of an empty input, for one). */
export function zerosOutput(backend: BackendWasm, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  (backend.typedArrayFromHeap(out) as Float32Array).fill(0);
  return out;
}

/** Runs `body` with `floats` float32 values of scratch heap, freed afterwards. */
export function withScratch<T>(backend: BackendWasm, floats: number, body: (offset: number) => T): T {
  const scratch = backend.makeOutput([Math.max(1, floats)], 'float32');
  try {
    return body(heapOffset(backend, scratch));
  } finally {
    backend.disposeData(scratch.dataId);
  }
}
