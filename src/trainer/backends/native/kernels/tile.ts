// Tile: TF.js's batch-norm gradient tiles per-channel vectors to the activation shape.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { Tile, util } from '@tensorflow/tfjs';

import { withCpuFallback } from '../backend';

export const tileKernel: KernelConfig = {
  kernelName: Tile,
  backendName: 'native',
  kernelFunc: withCpuFallback(Tile, ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    const reps = attrs.reps as number[];
    const xv = backend.float32(x);
    if (!xv || x.shape.length === 0 || reps.length !== x.shape.length) return null;
    const outShape = x.shape.map((d, i) => d * reps[i]);
    const out = backend.allocate(util.sizeFromShape(outShape));
    backend.addon.tile(xv, x.shape, reps, out);
    return backend.output(outShape, out);
  }),
};
