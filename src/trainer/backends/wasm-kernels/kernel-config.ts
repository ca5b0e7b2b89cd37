/**
 * How the project's kernels are registered on `wasm`, and how they reach the package's own
 * kernels that they build on (Conv2D) or hand the inputs they do not take to (FusedBatchNorm,
 * Identity of strings).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
// Imported for its kernel registrations, which packageKernel reads.
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export interface WasmKernelArgs {
  inputs: NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: NamedAttrMap;
}

type WasmKernelFunc = (args: WasmKernelArgs) => TensorInfo | TensorInfo[];

export function wasmKernelConfig(kernelName: string, kernelFunc: WasmKernelFunc, setupFunc?: KernelConfig['setupFunc']): KernelConfig {
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc, setupFunc };
}

export interface PackageKernel {
  run(args: WasmKernelArgs): TensorInfo;
  /** The package's set-up (it binds the kernel's wasm function when the backend starts). */
  setupFunc: KernelConfig['setupFunc'];
}

/**
 * tfjs-backend-wasm's own kernel `name`, as registered when this is called. Call it when a
 * module loads, before wasm-gradients.ts replaces the registrations of the same names.
 */
export function packageKernel(name: string): PackageKernel {
  const config = tf.getKernel(name, 'wasm');
  return {
    run(args) {
      if (config === undefined) throw new Error(`the wasm backend has no '${name}' kernel; reinstall @tensorflow/tfjs-backend-wasm`);
      return config.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    },
    setupFunc: config?.setupFunc,
  };
}
