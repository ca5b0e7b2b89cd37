// The batch statistics and the batch-norm gradient's two passes (src/trainer/model/batch-norm-ops.ts)
// in native loops. There is no CPU kernel to fall back to, so anything the loops cannot take is an
// error that names the input.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';

import { BatchMoments, BatchNormGradInput, BatchNormGradSums } from '../../../model/batch-norm-ops';
import type { NativeBackend } from '../backend';

function float32Inputs(kernel: string, backend: NativeBackend, inputs: Record<string, TensorInfo>, names: string[]): Float32Array[] {
  return names.map((name) => {
    const values = backend.float32(inputs[name]);
    if (!values) throw new Error(`native ${kernel}: input ${name} is missing or not a float32 tensor of this backend`);
    return values;
  });
}

export const batchMomentsKernel: KernelConfig = {
  kernelName: BatchMoments,
  backendName: 'native',
  kernelFunc: ({ inputs, backend }) => {
    const native = backend as NativeBackend;
    const named = inputs as Record<string, TensorInfo>;
    const [x] = float32Inputs(BatchMoments, native, named, ['x']);
    const channels = named.x.shape[named.x.shape.length - 1];
    const mean = native.allocate(channels), variance = native.allocate(channels);
    native.addon.batchMoments(x, mean, variance, channels);
    return [native.output([channels], mean), native.output([channels], variance)];
  },
};

export const batchNormGradSumsKernel: KernelConfig = {
  kernelName: BatchNormGradSums,
  backendName: 'native',
  kernelFunc: ({ inputs, backend }) => {
    const native = backend as NativeBackend;
    const named = inputs as Record<string, TensorInfo>;
    const [dy, x, mean, invStd] = float32Inputs(BatchNormGradSums, native, named, ['dy', 'x', 'mean', 'invStd']);
    const channels = named.x.shape[named.x.shape.length - 1];
    const sumDy = native.allocate(channels), sumDyXhat = native.allocate(channels);
    native.addon.batchNormGradSums(dy, x, mean, invStd, sumDy, sumDyXhat, channels);
    return [native.output([channels], sumDy), native.output([channels], sumDyXhat)];
  },
};

export const batchNormGradInputKernel: KernelConfig = {
  kernelName: BatchNormGradInput,
  backendName: 'native',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const native = backend as NativeBackend;
    const named = inputs as Record<string, TensorInfo>;
    const [dy, x, mean, invStd, gamma, sumDy, sumDyXhat] = float32Inputs(BatchNormGradInput, native, named,
      ['dy', 'x', 'mean', 'invStd', 'gamma', 'sumDy', 'sumDyXhat']);
    const channels = named.x.shape[named.x.shape.length - 1];
    const dx = native.allocate(x.length);
    native.addon.batchNormGradInput(dy, x, mean, invStd, gamma, sumDy, sumDyXhat, dx, channels, Number(attrs?.count));
    return native.output(named.x.shape, dx);
  },
};
