// Public entry of the 'native' TF.js backend: the CPU backend with convolutions, matrix
// products, pooling, batch norm, elementwise ops, reductions and Tile running in C++ (oneDNN
// and OpenMP on every core). Backend selection registers it, then calls tf.setBackend('native').
import { getKernel, getKernelsForBackend, registerBackend, registerKernel } from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';

import { loadNativeAddon } from './addon';
import { NativeBackend } from './backend';
import { nativeKernels } from './kernels';

export const NATIVE_BACKEND_NAME = 'native';

/**
 * Below the CPU backend's priority so registering never changes which backend TF.js picks by
 * itself; callers opt in with tf.setBackend('native').
 */
const NATIVE_BACKEND_PRIORITY = 0;

let registered = false;

/** True when the addon is built and loads on this machine. */
export function isNativeAvailable(): boolean {
  try {
    loadNativeAddon();
    return true;
  } catch {
    return false;
  }
}

/**
 * Registers the 'native' backend and its kernels (idempotent). Throws an Error saying how to
 * build the addon when it is missing or fails to load.
 */
export async function registerNativeBackend(): Promise<void> {
  if (registered) return;
  const addon = loadNativeAddon();
  const overridden = new Set(nativeKernels.map((k) => k.kernelName));
  for (const config of getKernelsForBackend('cpu')) {
    if (overridden.has(config.kernelName) || getKernel(config.kernelName, NATIVE_BACKEND_NAME)) continue;
    registerKernel({ ...config, backendName: NATIVE_BACKEND_NAME });
  }
  for (const config of nativeKernels) {
    if (!getKernel(config.kernelName, NATIVE_BACKEND_NAME)) registerKernel(config);
  }
  registerBackend(NATIVE_BACKEND_NAME, () => new NativeBackend(addon), NATIVE_BACKEND_PRIORITY);
  registered = true;
}

export { loadNativeAddon, loadNativeAddonFrom, BUILD_HINT } from './addon';
export type { NativeAddon } from './addon';
export { NativeBackend } from './backend';
