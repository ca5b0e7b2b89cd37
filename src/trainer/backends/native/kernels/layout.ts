// Transpose, Slice and constant PadV2. The `reference` block style pads shortcut channels
// through Permute, ZeroPadding2D, Permute (as the authors' Keras code does), so its training
// step transposes, pads and, in the gradient, slices full activations; TF.js's CPU versions
// of these index element by element and took four fifths of such a step.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { PadV2, Slice, slice_util, Transpose, util } from '@tensorflow/tfjs';

import { withCpuFallback } from '../backend';

const NAME = 'native';

const transposeKernel: KernelConfig = {
  kernelName: Transpose,
  backendName: NAME,
  kernelFunc: withCpuFallback(Transpose, ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    const perm = attrs.perm as number[];
    const xv = backend.float32(x);
    if (!xv || x.shape.length === 0 || perm.length !== x.shape.length) return null;
    const outShape = perm.map((p) => x.shape[p]);
    const out = backend.allocate(util.sizeFromShape(outShape));
    backend.addon.transpose(xv, x.shape, perm, out);
    return backend.output(outShape, out);
  }),
};

const sliceKernel: KernelConfig = {
  kernelName: Slice,
  backendName: NAME,
  kernelFunc: withCpuFallback(Slice, ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    const xv = backend.float32(x);
    if (!xv || x.shape.length === 0) return null;
    const [begin, size] = slice_util.parseSliceParams(x, attrs.begin as number | number[], attrs.size as number | number[]);
    // A contiguous slice is a subarray view on the CPU backend: nothing to copy.
    if (slice_util.isSliceContinous(x.shape, begin, size)) return null;
    const out = backend.allocate(util.sizeFromShape(size));
    backend.addon.slice(xv, x.shape, begin, size, out);
    return backend.output(size, out);
  }),
};

const padKernel: KernelConfig = {
  kernelName: PadV2,
  backendName: NAME,
  kernelFunc: withCpuFallback(PadV2, ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    const paddings = attrs.paddings as Array<[number, number]>;
    const xv = backend.float32(x);
    if (!xv || x.shape.length === 0 || paddings.length !== x.shape.length) return null;
    const before = paddings.map((p) => p[0]);
    const after = paddings.map((p) => p[1]);
    const outShape = x.shape.map((d, i) => before[i] + d + after[i]);
    const out = backend.allocate(util.sizeFromShape(outShape));
    backend.addon.pad(xv, x.shape, before, after, Number(attrs.constantValue ?? 0), out);
    return backend.output(outShape, out);
  }),
};

export const layoutKernels: KernelConfig[] = [transposeKernel, sliceKernel, padKernel];
