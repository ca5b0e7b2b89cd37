/**
 * Starts one backend in the current process. Used by the probe process (where a crash or hang
 * is contained) and by the trainer once the probe has passed.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../protocol/events';
import { BACKEND_PACKAGES, TFJS_BACKEND_NAMES } from './candidates';
import { checkConvolution } from './conv-check';
import { registerNativeBackend } from './native/index';
import { ModuleNotInstalledError, notInstalledDetail, requireOptional } from './optional-module';
import { BackendUnavailableError, firstLine, type ProbeResult } from './probe-result';
import { initWasmBackend } from './wasm-init';

async function loadStep(step: () => unknown): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (error instanceof BackendUnavailableError) throw error;
    if (error instanceof ModuleNotInstalledError) throw new BackendUnavailableError('not-installed', notInstalledDetail(error.packageName, error.searched));
    if (/tfjs_binding\.node\) can not be found/.test(firstLine(error))) {
      throw new BackendUnavailableError('not-installed', `${firstLine(error)} (libtensorflow was not downloaded)`);
    }
    throw new BackendUnavailableError('load-failed', firstLine(error));
  }
}

async function setActive(tfjsName: string): Promise<void> {
  // setBackend reports a failing backend factory by resolving false (and a console warning).
  const ok = await tf.setBackend(tfjsName);
  if (!ok) throw new BackendUnavailableError('load-failed', `tf.setBackend('${tfjsName}') could not initialise it`);
  await tf.ready();
}

function usesGpu(): boolean {
  return (tf.backend() as { isUsingGpuDevice?: unknown }).isUsingGpuDevice === true;
}

/** Makes `name` the active TF.js backend; throws BackendUnavailableError when it cannot. */
export async function activateBackend(name: BackendName): Promise<void> {
  const packageName = BACKEND_PACKAGES[name];
  await loadStep(async () => {
    if (packageName !== undefined) requireOptional(packageName);
    if (name === 'native') await registerNativeBackend();
    if (name === 'wasm') await initWasmBackend();
    else await setActive(TFJS_BACKEND_NAMES[name]);
  });
  if (name === 'tensorflow-gpu' && !usesGpu()) {
    throw new BackendUnavailableError(
      'no-gpu-device',
      '@tensorflow/tfjs-node-gpu loaded but TensorFlow found no usable GPU (needs CUDA 11.2, cuDNN 8.1 and an NVIDIA driver)',
    );
  }
}

/** Starts `name` here and checks a small convolution and its gradients on it. */
export async function runProbe(name: BackendName): Promise<ProbeResult> {
  try {
    await activateBackend(name);
  } catch (error) {
    if (error instanceof BackendUnavailableError) return { ok: false, kind: error.kind, detail: error.message };
    return { ok: false, kind: 'load-failed', detail: firstLine(error) };
  }
  try {
    await checkConvolution();
    return { ok: true };
  } catch (error) {
    return { ok: false, kind: 'check-failed', detail: firstLine(error) };
  }
}
