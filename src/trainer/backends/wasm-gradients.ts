/**
 * The kernels that tfjs-backend-wasm 4.22 lacks (or implements too slowly) for training the
 * project's models, registered on the `wasm` backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig } from './wasm-conv-grad-kernels';

const KERNELS: readonly KernelConfig[] = [conv2DBackpropInputConfig, conv2DBackpropFilterConfig];

/**
 * Registers the kernels, replacing the package's own registrations of the same names. Safe to
 * call any number of times, before or after the wasm backend is initialised.
 */
export function registerWasmGradients(): void {
  for (const config of KERNELS) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc === config.kernelFunc) continue;
    if (existing !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
}
