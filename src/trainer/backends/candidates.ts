/**
 * The TF.js backends the trainer can use, fastest first, and what each needs to run.
 */
import type { BackendName } from '../../protocol/events';
import { BUILD_HINT } from './native/addon';

export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'native', 'wasm', 'cpu'];

/** npm packages that provide a backend (the others ship with the project). */
export const BACKEND_PACKAGES: Partial<Record<BackendName, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

/** The TF.js name each backend registers under (both tfjs-node packages register 'tensorflow'). */
export const TFJS_BACKEND_NAMES: Record<BackendName, string> = {
  'tensorflow-gpu': 'tensorflow',
  tensorflow: 'tensorflow',
  native: 'native',
  wasm: 'wasm',
  cpu: 'cpu',
};

/** How to make each backend work, for error messages. */
export const BACKEND_FIXES: Record<BackendName, string> = {
  'tensorflow-gpu':
    'install @tensorflow/tfjs-node-gpu with `resbuilder backends install tensorflow-gpu` (in VS Code: ' +
    '"ResBuilder: Install GPU Backend…"; it downloads libtensorflow) on Linux x64 with an NVIDIA driver and ' +
    'CUDA 11.2 / cuDNN 8.1; `resbuilder backends` says what is missing (docs/gpu.md). Or set backend: auto',
  tensorflow:
    'install @tensorflow/tfjs-node with `resbuilder backends install tensorflow` (in VS Code: "ResBuilder: ' +
    'Install GPU Backend…"; it downloads libtensorflow, docs/gpu.md). Or set backend: auto',
  native: `native backend not built: ${BUILD_HINT} Or set backend: auto.`,
  wasm: 'reinstall @tensorflow/tfjs-backend-wasm (npm ci), or set backend: auto',
  cpu: 'reinstall @tensorflow/tfjs (npm ci)',
};

/** Threads a backend computes with, where the trainer knows it. */
export const BACKEND_THREADS: Partial<Record<BackendName, number>> = { wasm: 1, cpu: 1 };
