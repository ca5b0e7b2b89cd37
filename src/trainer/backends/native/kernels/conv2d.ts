// Convolution kernels (NHWC only; NCHW and unsupported fused activations run on the CPU
// kernels). Geometry comes from TF.js's own conv_util so padding matches the CPU backend.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { Add, backend_util, Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput, FusedConv2D, Relu, util } from '@tensorflow/tfjs';

import { FoldedConv2D } from '../../../model/folded-conv';
import { runCpuKernel, withCpuFallback, type KernelArgs } from '../backend';

const NAME = 'native';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | backend_util.ExplicitPadding;

interface ConvAttrs {
  strides: [number, number] | number;
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The 17-number geometry the addon's convolution functions take. */
export function convGeometry(info: backend_util.Conv2DInfo): number[] {
  const p = info.padInfo;
  return [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth,
    info.outChannels, info.outHeight, info.outWidth, info.strideHeight, info.strideWidth,
    info.dilationHeight, info.dilationWidth, p.top, p.left, p.bottom, p.right];
}

function isEmpty(info: backend_util.Conv2DInfo): boolean {
  return util.sizeFromShape(info.inShape) === 0 || util.sizeFromShape(info.outShape) === 0 ||
    util.sizeFromShape(info.filterShape) === 0;
}

/**
 * True when the output size is the one oneDNN derives from input, window, stride and padding.
 * TF.js sizes numeric padding with the height stride on both axes, so a numeric pad with
 * unequal strides is not consistent; those cases run on the CPU kernel to give its result.
 */
export function isConsistentGeometry(info: backend_util.Conv2DInfo): boolean {
  const p = info.padInfo;
  const spanH = info.inHeight + p.top + p.bottom - info.effectiveFilterHeight;
  const spanW = info.inWidth + p.left + p.right - info.effectiveFilterWidth;
  return spanH >= 0 && spanW >= 0 && Math.floor(spanH / info.strideHeight) + 1 === info.outHeight &&
    Math.floor(spanW / info.strideWidth) + 1 === info.outWidth &&
    Math.min(p.top, p.bottom, p.left, p.right) >= 0;
}

function convInfo(xShape: number[], filterShape: number[], attrs: ConvAttrs, dilations: ConvAttrs['dilations']): backend_util.Conv2DInfo | null {
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC' || xShape.length !== 4 || filterShape.length !== 4) return null;
  const info = backend_util.computeConv2DInfo(xShape as Shape4, filterShape as Shape4, attrs.strides,
    dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  return isEmpty(info) || !isConsistentGeometry(info) ? null : info;
}

const conv2d: KernelConfig = {
  kernelName: Conv2D,
  backendName: NAME,
  kernelFunc: withCpuFallback(Conv2D, ({ inputs, backend, attrs }) => {
    const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
    const a = attrs as unknown as ConvAttrs;
    const xv = backend.float32(x), wv = backend.float32(filter);
    const info = xv && wv ? convInfo(x.shape, filter.shape, a, a.dilations) : null;
    if (!xv || !wv || !info) return null;
    const out = backend.allocate(util.sizeFromShape(info.outShape));
    backend.addon.conv2dForward(xv, wv, null, out, convGeometry(info), false);
    return backend.output(info.outShape, out);
  }),
};

const fusedConv2d: KernelConfig = {
  kernelName: FusedConv2D,
  backendName: NAME,
  kernelFunc: withCpuFallback(FusedConv2D, ({ inputs, backend, attrs }) => {
    const { x, filter, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
    const a = attrs as unknown as ConvAttrs & { activation?: string };
    const activation = a.activation ?? 'linear';
    if ((activation !== 'linear' && activation !== 'relu') || preluActivationWeights) return null;
    const xv = backend.float32(x), wv = backend.float32(filter);
    const info = xv && wv ? convInfo(x!.shape, filter!.shape, a, a.dilations) : null;
    if (!xv || !wv || !info) return null;
    let bv: Float32Array | null = null;
    if (bias) {
      bv = backend.float32(bias);
      // Only a per-output-channel bias maps onto the primitive's bias; other broadcasts fall back.
      if (!bv || bv.length !== info.outChannels || bias.shape[bias.shape.length - 1] !== info.outChannels) return null;
    }
    const out = backend.allocate(util.sizeFromShape(info.outShape));
    backend.addon.conv2dForward(xv, wv, bv, out, convGeometry(info), activation === 'relu');
    return backend.output(info.outShape, out);
  }),
};

const conv2dBackpropInput: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: NAME,
  kernelFunc: withCpuFallback(Conv2DBackpropInput, ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
    const dyv = backend.float32(dy), wv = backend.float32(filter);
    const info = dyv && wv ? convInfo(a.inputShape, filter.shape, a, 1) : null;
    if (!dyv || !wv || !info) return null;
    const out = backend.allocate(util.sizeFromShape(info.inShape));
    backend.addon.conv2dBackwardData(dyv, wv, out, convGeometry(info));
    return backend.output(info.inShape, out);
  }),
};

const conv2dBackpropFilter: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: NAME,
  kernelFunc: withCpuFallback(Conv2DBackpropFilter, ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
    const xv = backend.float32(x), dyv = backend.float32(dy);
    const info = xv && dyv ? convInfo(x.shape, a.filterShape, a, 1) : null;
    if (!xv || !dyv || !info) return null;
    const out = backend.allocate(util.sizeFromShape(info.filterShape));
    backend.addon.conv2dBackwardFilter(xv, dyv, out, convGeometry(info));
    return backend.output(info.filterShape, out);
  }),
};

/** Where the convolution cannot take the residual, TF.js's CPU kernels: fused convolution, add, ReLU. */
function foldedOnCpu({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, filter, bias, residual } = inputs as Record<'x' | 'filter' | 'bias', TensorInfo> & { residual?: TensorInfo };
  const activation = attrs.relu && !residual ? 'relu' : 'linear';
  const conv = runCpuKernel(FusedConv2D, { inputs: { x, filter, bias }, backend, attrs: { ...attrs, dataFormat: 'NHWC', activation } }) as TensorInfo;
  if (!residual) return conv;
  const sum = runCpuKernel(Add, { inputs: { a: conv, b: residual }, backend }) as TensorInfo;
  backend.disposeData(conv.dataId);
  if (!attrs.relu) return sum;
  const out = runCpuKernel(Relu, { inputs: { x: sum }, backend }) as TensorInfo;
  backend.disposeData(sum.dataId);
  return out;
}

const foldedConv2d: KernelConfig = {
  kernelName: FoldedConv2D,
  backendName: NAME,
  kernelFunc: withCpuFallback(FoldedConv2D, ({ inputs, backend, attrs }) => {
    const { x, filter, bias, residual } = inputs as Record<'x' | 'filter' | 'bias', TensorInfo> & { residual?: TensorInfo };
    const a = attrs as unknown as ConvAttrs & { relu: boolean; consumeResidual?: boolean };
    const xv = backend.float32(x), wv = backend.float32(filter), bv = backend.float32(bias);
    const rv = residual ? backend.float32(residual) : null;
    const info = xv && wv ? convInfo(x.shape, filter.shape, a, a.dilations) : null;
    if (!info || !bv || bv.length !== info.outChannels) return null;
    if (residual && (!rv || !util.arraysEqual(residual.shape, info.outShape))) return null;
    // A residual the caller gives up is summed in place, which spares copying it into a new array.
    const inPlace = residual !== undefined && rv !== null && a.consumeResidual === true && rv !== xv && backend.isSoleOwner(residual);
    const out = inPlace ? rv : backend.allocate(util.sizeFromShape(info.outShape));
    // The filter is constant across evaluation's calls, so the addon may transform it once.
    backend.addon.conv2dForward(xv!, wv!, bv, out, convGeometry(info), a.relu, rv, true);
    return backend.output(info.outShape, out);
  }, foldedOnCpu),
};

export const convKernels: KernelConfig[] = [conv2d, fusedConv2d, conv2dBackpropInput, conv2dBackpropFilter, foldedConv2d];
