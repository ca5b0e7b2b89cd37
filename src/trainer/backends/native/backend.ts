// The 'native' backend is the TF.js CPU backend with its hot kernels replaced: tensors keep
// living in the CPU backend's TypedArrays, so native and JavaScript kernels share data
// without copies, and any kernel without a native version simply runs the CPU one.
import type { DataType, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { getKernel } from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

import type { NativeAddon } from './addon';

export class NativeBackend extends MathBackendCPU {
  constructor(readonly addon: NativeAddon) {
    super();
    // The CPU backend's first write prints advice to install tfjs-node; that advice is wrong
    // for this backend, whose hot kernels are already native.
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  /** The Float32Array behind a float32 tensor, or null when a native kernel cannot use it. */
  float32(t: TensorInfo | undefined | null): Float32Array | null {
    if (!t || t.dtype !== 'float32') return null;
    const values = this.data.get(t.dataId)?.values;
    return values instanceof Float32Array ? values : null;
  }

  /** Wraps a freshly written output array as a tensor of this backend (no copy). */
  output(shape: number[], values: Float32Array, dtype: DataType = 'float32'): TensorInfo {
    return this.makeTensorInfo(shape, dtype, values);
  }
}

export interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: NativeBackend;
  attrs: NamedAttrMap;
}

/** Runs the CPU backend's kernel of the same name (the fallback for unsupported cases). */
export function runCpuKernel(kernelName: string, args: { inputs: NamedTensorInfoMap; backend: object; attrs?: NamedAttrMap }): TensorInfo | TensorInfo[] {
  const config = getKernel(kernelName, 'cpu');
  if (!config) throw new Error(`native backend: TF.js has no cpu kernel ${kernelName} to fall back to`);
  return config.kernelFunc(args) as TensorInfo | TensorInfo[];
}

/**
 * Builds a kernel function that tries `native` first; when it returns null (dtype, layout or
 * attribute it does not handle) the CPU kernel runs instead.
 */
export function withCpuFallback(kernelName: string, native: (args: KernelArgs) => TensorInfo | null): KernelFunc {
  return (args) => {
    const full: KernelArgs = { inputs: args.inputs, backend: args.backend as NativeBackend, attrs: args.attrs ?? {} };
    return native(full) ?? runCpuKernel(kernelName, args);
  };
}
