/**
 * Identity (tf.clone) on the wasm backend as a second reference to the same heap buffer, as the
 * cpu backend and the package's own Reshape do. The package copies the values instead, and the
 * gradient tape clones every tensor it saves for the backward pass: about a hundred copies of
 * activations per ResNet-20 step (40 ms at batch 128). Kernels never write into their inputs,
 * so sharing is safe; the buffer is freed when its last reference is disposed.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { packageKernel, wasmKernelConfig, type WasmKernelArgs } from './kernel-config';

/** The package's Identity still takes string tensors. */
const packageIdentity = packageKernel('Identity');

function identity(args: WasmKernelArgs): TensorInfo {
  const x = args.inputs.x;
  if (x === undefined) throw new Error("Identity on wasm: input 'x' is missing");
  if (x.dtype === 'string') return packageIdentity.run(args);
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const sharedIdentityConfig = wasmKernelConfig('Identity', identity);
