// Sum, Mean, Max and Min over axes that are contiguous once size-1 axes are ignored: the
// tensor is viewed as [outer, reduced, inner] and reduced without the transpose the CPU
// kernel makes first. Other axis sets fall back.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { Max, Mean, Min, Sum, util } from '@tensorflow/tfjs';

import { withCpuFallback } from '../backend';

const NAME = 'native';

const REDUCE_OPS = { [Sum]: 0, [Mean]: 1, [Max]: 2, [Min]: 3 } as const;

export interface ReductionPlan {
  dims: [number, number, number];
  outShape: number[];
}

/** Describes reducing `shape` over `axes` as [outer, reduced, inner], or null if not contiguous. */
export function planReduction(shape: number[], axes: number[], keepDims: boolean): ReductionPlan | null {
  const reduced = new Set(axes);
  let first = -1, last = -1;
  for (let i = 0; i < shape.length; i++) {
    if (!reduced.has(i) || shape[i] === 1) continue;
    if (first < 0) first = i;
    last = i;
  }
  let outer = 1, mid = 1, inner = 1;
  for (let i = 0; i < shape.length; i++) {
    if (first >= 0 && i >= first && i <= last) {
      if (!reduced.has(i) && shape[i] !== 1) return null;
      mid *= shape[i];
    } else if (first < 0 || i < first) {
      outer *= shape[i];
    } else {
      inner *= shape[i];
    }
  }
  const outShape = keepDims ? shape.map((d, i) => (reduced.has(i) ? 1 : d)) : shape.filter((_, i) => !reduced.has(i));
  return { dims: [outer, mid, inner], outShape };
}

function reduction(kernelName: keyof typeof REDUCE_OPS): KernelConfig {
  return {
    kernelName,
    backendName: NAME,
    kernelFunc: withCpuFallback(kernelName, ({ inputs, backend, attrs }) => {
      const { x } = inputs as { x: TensorInfo };
      const xv = backend.float32(x);
      const axisAttr = (kernelName === Max ? attrs.reductionIndices : attrs.axis) as number | number[];
      if (!xv || xv.length === 0 || x.shape.length === 0) return null;
      const axes = util.parseAxisParam(axisAttr, x.shape);
      if (axes.length === 0) return null;
      const plan = planReduction(x.shape, axes, Boolean(attrs.keepDims));
      if (!plan) return null;
      const out = backend.allocate(plan.dims[0] * plan.dims[2]);
      backend.addon.reduce(xv, out, plan.dims, REDUCE_OPS[kernelName]);
      return backend.output(plan.outShape, out);
    }),
  };
}

export const reduceKernels: KernelConfig[] = [reduction(Sum), reduction(Mean), reduction(Max), reduction(Min)];
