// 2-D max and average pooling and their gradients (NHWC, dilation 1 as TF.js requires).
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { AvgPool, AvgPoolGrad, backend_util, MaxPool, MaxPoolGrad, util } from '@tensorflow/tfjs';

import { withCpuFallback } from '../backend';
import { isConsistentGeometry } from './conv2d';

const NAME = 'native';

interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function poolInfo(xShape: number[], attrs: PoolAttrs): backend_util.Conv2DInfo | null {
  if (xShape.length !== 4) return null;
  const info = backend_util.computePool2DInfo(xShape as [number, number, number, number], attrs.filterSize,
    attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  if (util.sizeFromShape(info.inShape) === 0 || util.sizeFromShape(info.outShape) === 0 || !isConsistentGeometry(info)) return null;
  return info;
}

/** The 14-number geometry the addon's pooling functions take. */
export function poolGeometry(info: backend_util.Conv2DInfo): number[] {
  const p = info.padInfo;
  return [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth,
    info.outHeight, info.outWidth, info.strideHeight, info.strideWidth, p.top, p.left, p.bottom, p.right];
}

function forward(kernelName: string, isMax: boolean): KernelConfig {
  return {
    kernelName,
    backendName: NAME,
    kernelFunc: withCpuFallback(kernelName, ({ inputs, backend, attrs }) => {
      const { x } = inputs as { x: TensorInfo };
      const xv = backend.float32(x);
      const info = xv ? poolInfo(x.shape, attrs as unknown as PoolAttrs) : null;
      if (!xv || !info) return null;
      const out = backend.allocate(util.sizeFromShape(info.outShape));
      backend.addon.pool2dForward(xv, out, poolGeometry(info), isMax);
      return backend.output(info.outShape, out);
    }),
  };
}

function backward(kernelName: string, isMax: boolean): KernelConfig {
  return {
    kernelName,
    backendName: NAME,
    kernelFunc: withCpuFallback(kernelName, ({ inputs, backend, attrs }) => {
      const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
      const dyv = backend.float32(dy), xv = backend.float32(input);
      const info = dyv && xv ? poolInfo(input.shape, attrs as unknown as PoolAttrs) : null;
      if (!dyv || !xv || !info) return null;
      const out = backend.allocate(util.sizeFromShape(info.inShape));
      backend.addon.pool2dBackward(dyv, isMax ? xv : null, out, poolGeometry(info), isMax);
      return backend.output(info.inShape, out);
    }),
  };
}

export const poolKernels: KernelConfig[] = [
  forward(MaxPool, true), forward(AvgPool, false), backward(MaxPoolGrad, true), backward(AvgPoolGrad, false),
];
