// FusedBatchNorm forward with per-channel (last axis) statistics, the layout batch-norm layers
// use; any other broadcast of mean/variance falls back.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { FusedBatchNorm } from '@tensorflow/tfjs';

import { withCpuFallback } from '../backend';

export const batchNormKernel: KernelConfig = {
  kernelName: FusedBatchNorm,
  backendName: 'native',
  kernelFunc: withCpuFallback(FusedBatchNorm, ({ inputs, backend, attrs }) => {
    const { x, mean, variance, offset, scale } = inputs as Record<string, TensorInfo | undefined>;
    const xv = backend.float32(x), mv = backend.float32(mean), vv = backend.float32(variance);
    if (!x || !xv || !mv || !vv || x.shape.length === 0 || xv.length === 0) return null;
    const channels = x.shape[x.shape.length - 1];
    const ov = offset ? backend.float32(offset) : null;
    const sv = scale ? backend.float32(scale) : null;
    const perChannel = (t: TensorInfo | undefined, v: Float32Array | null) =>
      !t || (v !== null && v.length === channels && t.shape[t.shape.length - 1] === channels);
    if (!perChannel(mean, mv) || !perChannel(variance, vv) || !perChannel(offset, ov) || !perChannel(scale, sv)) return null;
    const out = backend.allocate(xv.length);
    backend.addon.batchNormForward(xv, mv, vv, ov, sv, out, channels, Number(attrs.varianceEpsilon ?? 0.001));
    return backend.output(x.shape, out);
  }),
};
