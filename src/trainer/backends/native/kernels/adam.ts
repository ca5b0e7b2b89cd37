// The one-pass Adam update (src/trainer/train/one-pass-adam.ts): copies of the weights and
// moments, updated in one loop by the rule the data-parallel workers also run.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { util } from '@tensorflow/tfjs';

import { adamUpdate } from '../../../../core/train/adam';
import { AdamStep } from '../../../train/one-pass-adam';
import type { NativeBackend } from '../backend';

export const adamStepKernel: KernelConfig = {
  kernelName: AdamStep,
  backendName: 'native',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const native = backend as NativeBackend;
    const named = inputs as Record<'value' | 'gradient' | 'm' | 'v', TensorInfo>;
    const arrays = (['value', 'gradient', 'm', 'v'] as const).map((key) => {
      const t = named[key];
      const values = native.float32(t);
      if (!values || !util.arraysEqual(t.shape, named.value.shape)) {
        throw new Error(`${AdamStep}: ${key} must be a float32 tensor of the variable's shape [${named.value.shape}], got ${t.dtype} [${t.shape}]`);
      }
      return values;
    });
    const [value, gradient, m, v] = arrays;
    const outputs = [value, m, v].map((source) => {
      const copy = native.allocate(source.length);
      copy.set(source);
      return copy;
    });
    const { stepSize, rootScale } = (attrs ?? {}) as { stepSize?: unknown; rootScale?: unknown };
    if (typeof stepSize !== 'number' || typeof rootScale !== 'number') throw new Error(`${AdamStep}: the attributes stepSize and rootScale must be numbers (adamScales)`);
    const [newValue, newM, newV] = outputs;
    adamUpdate(newValue, gradient, newM, newV, 0, newValue.length, { stepSize, rootScale });
    return outputs.map((o) => native.output(named.value.shape, o));
  },
};
