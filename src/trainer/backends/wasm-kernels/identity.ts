/**
 * Identity (tf.clone) on the wasm backend as a second reference to the same heap buffer, as the
 * cpu backend and the package's own Reshape do. The package copies the values instead, and the
 * gradient tape clones every tensor it saves for the backward pass: about a hundred copies of
 * activations per ResNet-20 step (40 ms at batch 128). Kernels never write into their inputs,
 * so sharing is safe; the buffer is freed when its last reference is disposed.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
// Imported for its kernel registrations: the package's Identity still takes string tensors.
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

const packageIdentity = tf.getKernel('Identity', 'wasm');

function identity(args: { inputs: NamedTensorInfoMap; backend: BackendWasm }): TensorInfo {
  const x = args.inputs.x;
  if (x === undefined) throw new Error("Identity on wasm: input 'x' is missing");
  if (x.dtype === 'string') {
    if (packageIdentity === undefined) throw new Error('Identity on wasm: string tensors need the package kernel, which is not registered');
    return packageIdentity.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
  }
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const sharedIdentityConfig: KernelConfig = {
  kernelName: 'Identity',
  backendName: 'wasm',
  kernelFunc: identity as unknown as KernelFunc,
};
