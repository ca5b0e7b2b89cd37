/** The one-pass ReLU gradient (src/trainer/model/relu-gradient.ts) on the wasm backend. */
import type { TensorInfo } from '@tensorflow/tfjs';
import { ReluGrad } from '../../model/relu-gradient';
import { float32Inputs, heapOffset, sizeOf } from './heap';
import { wasmKernelConfig, type WasmKernelArgs } from './kernel-config';
import { simdKernels } from './module';

function reluGrad({ inputs, backend }: WasmKernelArgs): TensorInfo {
  const [dy, x] = float32Inputs(ReluGrad, inputs, ['a', 'b']);
  const size = sizeOf(x.shape);
  if (sizeOf(dy.shape) !== size) throw new Error(`${ReluGrad} on wasm: dy has shape [${dy.shape}] but x has [${x.shape}]; they must match`);
  const out = backend.makeOutput(x.shape, 'float32');
  if (size > 0) simdKernels(backend).reluGrad(heapOffset(backend, dy), heapOffset(backend, x), heapOffset(backend, out), size);
  return out;
}

export const simdReluGradConfig = wasmKernelConfig(ReluGrad, reluGrad);
