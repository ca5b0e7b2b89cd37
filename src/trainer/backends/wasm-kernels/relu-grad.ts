/** The one-pass ReLU gradient (src/trainer/model/relu-gradient.ts) on the wasm backend. */
import type { KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ReluGrad } from '../../model/relu-gradient';
import { float32Inputs, heapOffset, sizeOf } from './heap';
import { simdKernels } from './module';

function reluGrad({ inputs, backend }: { inputs: NamedTensorInfoMap; backend: BackendWasm }): TensorInfo {
  const [dy, x] = float32Inputs(ReluGrad, inputs, ['a', 'b']);
  const size = sizeOf(x.shape);
  if (sizeOf(dy.shape) !== size) throw new Error(`${ReluGrad} on wasm: dy has shape [${dy.shape}] but x has [${x.shape}]; they must match`);
  const out = backend.makeOutput(x.shape, 'float32');
  if (size > 0) simdKernels(backend).reluGrad(heapOffset(backend, dy), heapOffset(backend, x), heapOffset(backend, out), size);
  return out;
}

export const simdReluGradConfig: KernelConfig = {
  kernelName: ReluGrad,
  backendName: 'wasm',
  kernelFunc: reluGrad as unknown as KernelFunc,
};
