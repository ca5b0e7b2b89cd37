/**
 * Starts TF.js's `wasm` backend in Node: points it at the package's .wasm binaries and adds the
 * gradient kernels the package lacks. The trainer bundle holds the package's JavaScript but not
 * its binaries: the build copies them beside the bundle (the packaged extension has no
 * node_modules); run from sources, they are read from the installed package.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradients } from './wasm-gradients';

let pathsSet = false;

/** The binary every CPU with wasm SIMD loads; where it is, the others are too. */
const SIMD_BINARY = 'tfjs-backend-wasm-simd.wasm';

/** The folder that holds tfjs-backend-wasm's .wasm binaries, with a trailing separator. */
export function wasmBinaryFolder(): string {
  if (typeof __dirname === 'string' && fs.existsSync(path.join(__dirname, SIMD_BINARY))) return __dirname + path.sep;
  // Through a variable: esbuild would otherwise ask for the package to be external.
  const resolve: (id: string) => string = require.resolve;
  return path.dirname(resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
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
