/**
 * Starts TF.js's `wasm` backend in Node: points it at the .wasm files inside the installed
 * package (the trainer bundle keeps packages external, so they stay in node_modules) and adds
 * the gradient kernels the package lacks.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradients } from './wasm-gradients';

let pathsSet = false;

/** The folder that holds tfjs-backend-wasm's .wasm binaries, with a trailing separator. */
export function wasmBinaryFolder(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

/**
 * Makes `wasm` the active backend. Node has no wasm threads in tfjs-backend-wasm 4.22, so the
 * package picks its SIMD single-thread binary where the CPU supports SIMD.
 */
export async function initWasmBackend(): Promise<void> {
  registerWasmGradients();
  if (!pathsSet) {
    setWasmPaths(wasmBinaryFolder());
    pathsSet = true;
  }
  const ok = await tf.setBackend('wasm');
  if (!ok) {
    throw new Error(`tf.setBackend('wasm') failed to initialise with binaries from ${wasmBinaryFolder()}`);
  }
  await tf.ready();
}
