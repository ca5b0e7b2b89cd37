// Softmax over the last axis, one loop per row. The CPU kernel runs it as six kernels (max,
// reshape, subtract, exp, sum, divide), each with its own output array: about a millisecond on the
// classifier's [128, 10] logits, a visible part of a small network's evaluation batch
// (docs/benchmarks.md, "Residual sums fused into the convolution"). Other axes fall back.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { Softmax } from '@tensorflow/tfjs';

import { withCpuFallback } from '../backend';

export const softmaxKernel: KernelConfig = {
  kernelName: Softmax,
  backendName: 'native',
  kernelFunc: withCpuFallback(Softmax, ({ inputs, backend, attrs }) => {
    const { logits } = inputs as { logits: TensorInfo };
    const { dim } = attrs as { dim: number };
    const rank = logits.shape.length;
    const values = backend.float32(logits);
    if (!values || rank === 0 || (dim !== -1 && dim !== rank - 1)) return null;
    const width = logits.shape[rank - 1];
    const out = backend.allocate(values.length);
    for (let start = 0; start < values.length; start += width) {
      let max = -Infinity;
      for (let i = start; i < start + width; i++) if (values[i] > max) max = values[i];
      let sum = 0;
      for (let i = start; i < start + width; i++) {
        const e = Math.exp(values[i] - max);
        out[i] = e;
        sum += e;
      }
      for (let i = start; i < start + width; i++) out[i] /= sum;
    }
    return backend.output(logits.shape, out);
  }),
};
