/**
 * The kernels that tfjs-backend-wasm 4.22 lacks (or implements too slowly) for training the
 * project's models, registered on the `wasm` backend: Winograd 3×3 convolutions, the convolution gradients, the
 * batch-norm and ReLU-gradient kernels the model's custom gradients look for, and an Identity
 * that does not copy.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { conv2DBackpropInputConfig } from './wasm-kernels/conv-input-grad';
import { simdBatchNormConfigs } from './wasm-kernels/batch-norm';
import { simdConv2DBackpropFilterConfig } from './wasm-kernels/conv-filter-grad';
import { sharedIdentityConfig } from './wasm-kernels/identity';
import { simdReluGradConfig } from './wasm-kernels/relu-grad';
import { winogradConfigs } from './wasm-kernels/winograd';

const KERNELS: readonly KernelConfig[] = [
  conv2DBackpropInputConfig,
  simdConv2DBackpropFilterConfig,
  ...simdBatchNormConfigs,
  simdReluGradConfig,
  sharedIdentityConfig,
  ...winogradConfigs,
];

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
