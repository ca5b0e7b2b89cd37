/**
 * The convolution input gradient for the `wasm` backend.
 *
 * tfjs-backend-wasm 4.22's `Conv2DBackpropInput` is a scalar loop. With stride 1 the gradient
 * is itself a convolution, so it is rewritten here as a call of the wasm `Conv2D` kernel
 * (XNNPACK), about an order of magnitude faster than that loop. With a larger stride that
 * convolution would run over a dy dilated with zeros, so strided gradients go to a SIMD kernel
 * that scatters dy·Wᵀ onto dx directly (wasm/assembly/conv-input-grad.ts).
 *
 * Notation, per spatial axis (the width axis is the same with its own numbers): input length H,
 * filter size k, stride s, padding before the data pt (after it pb), output length Ho. The
 * forward pass is
 *
 *     y[i] = Σ_a xp[i·s + a] · W[a],        xp[h] = x[h − pt]  (zero outside x)
 *
 * where channels are summed as well (W is [kh, kw, Cin, Cout], tensors are NHWC).
 *
 * Input gradient. Each x[h] reaches y[i] through tap a = h + pt − i·s, so
 *
 *     dx[h] = Σ_{i,a : i·s + a = h + pt} dy[i] · W[a].
 *
 * Put dy on a grid with s − 1 zeros between neighbours ("dilated" dy, dyd[i·s] = dy[i]); then
 * dx[h] = Σ_a dyd[h + pt − a] · W[a]. Substituting a' = k − 1 − a turns this into a plain
 * correlation with the spatially flipped filter: dx[h] = Σ_a' dydp[h + a'] · Wflip[a'], where
 * dydp is dyd with k − 1 − pt zeros in front (so row 0 of dydp is row −(k − 1 − pt) of dyd)
 * and enough zeros behind that a stride-1 'valid' convolution yields exactly H rows
 * (H + pt − (Ho − 1)·s − 1 of them). For 'same' padding pt = ⌊total/2⌋, so the front pad is
 * k − 1 − pt and, whenever the forward pass reads up to its last padded row, the back pad works
 * out to k − 1 − pb: the gradient's padding mirrors the forward padding, which matters for odd
 * totals (3×3 stride 2 on an even size: pt = 0, pb = 1) where the two sides differ. The
 * filter's channel axes swap too (dy has Cout channels, dx has Cin), so the gradient filter is
 * W[k−1−a, k−1−b, c, o] stored as [kh, kw, Cout, Cin]. With stride 1 the dilation is a no-op and
 * the zeros are left to the convolution's own padding.
 *
 * The filter gradient is a SIMD kernel of its own (conv-filter-grad.ts).
 */
import type {
  backend_util,
  Conv2DAttrs,
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { convInfoOf, type Shape4 } from './conv-info';
import { float32Inputs, heapOffset } from './heap';
import { simdKernels } from './module';

interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: NamedAttrMap;
}

function wasmKernel(name: string): KernelFunc {
  const config = tf.getKernel(name, 'wasm');
  if (config === undefined) {
    throw new Error(`the wasm backend has no '${name}' kernel; reinstall @tensorflow/tfjs-backend-wasm`);
  }
  return config.kernelFunc;
}

function runConv(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs): TensorInfo {
  return wasmKernel('Conv2D')({
    inputs: { x, filter },
    backend,
    attrs: attrs as unknown as NamedAttrMap,
  }) as TensorInfo;
}

function heap(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** W [kh, kw, Cin, Cout] → W[kh−1−a, kw−1−b, c, o] stored as [kh, kw, Cout, Cin]. */
function flippedTransposedFilter(backend: BackendWasm, filter: TensorInfo): TensorInfo {
  const [kh, kw, cin, cout] = filter.shape as Shape4;
  const out = backend.makeOutput([kh, kw, cout, cin], 'float32');
  // Views are taken after makeOutput: growing the wasm heap detaches older views.
  const src = heap(backend, filter);
  const dst = heap(backend, out);
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const srcTap = ((kh - 1 - a) * kw + (kw - 1 - b)) * cin * cout;
      const dstTap = (a * kw + b) * cout * cin;
      for (let c = 0; c < cin; c++) {
        for (let o = 0; o < cout; o++) dst[dstTap + o * cin + c] = src[srcTap + c * cout + o];
      }
    }
  }
  return out;
}

/**
 * dy [N, Ho, Wo, C] → zeros of [N, outH, outW, C] with dy[n, i, j] at row top + i·sh and
 * column left + j·sw (entries falling outside are dropped, which only happens for explicit
 * paddings larger than the filter).
 */
function dilateAndPad(
  backend: BackendWasm,
  dy: TensorInfo,
  sh: number,
  sw: number,
  top: number,
  left: number,
  outH: number,
  outW: number,
): TensorInfo {
  const [n, ho, wo, c] = dy.shape as Shape4;
  const out = backend.makeOutput([n, outH, outW, c], 'float32');
  const src = heap(backend, dy);
  const dst = heap(backend, out);
  dst.fill(0);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < ho; i++) {
      const row = top + i * sh;
      if (row < 0 || row >= outH) continue;
      for (let j = 0; j < wo; j++) {
        const col = left + j * sw;
        if (col < 0 || col >= outW) continue;
        const from = ((b * ho + i) * wo + j) * c;
        dst.set(src.subarray(from, from + c), ((b * outH + row) * outW + col) * c);
      }
    }
  }
  return out;
}

/** W [kh, kw, Cin, Cout] → [kh, kw, Cout, cinPadded], zeros in the padded input channels. */
function transposedFilter(backend: BackendWasm, filter: TensorInfo, cinPadded: number): TensorInfo {
  const [kh, kw, cin, cout] = filter.shape as Shape4;
  const out = backend.makeOutput([kh, kw, cout, cinPadded], 'float32');
  const src = heap(backend, filter);
  const dst = heap(backend, out);
  dst.fill(0);
  for (let tap = 0; tap < kh * kw; tap++) {
    for (let c = 0; c < cin; c++) {
      for (let o = 0; o < cout; o++) dst[(tap * cout + o) * cinPadded + c] = src[(tap * cin + c) * cout + o];
    }
  }
  return out;
}

/**
 * The strided case on the SIMD kernel (wasm/assembly/conv-input-grad.ts). Through XNNPACK it
 * would convolve a dy dilated with zeros: sh·sw times the work, three quarters of it on zeros.
 */
function stridedInputGrad(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: cin, outHeight: ho, outWidth: wo, outChannels: cout } = info;
  const cinPadded = Math.ceil(cin / 4) * 4;
  const kernels = simdKernels(backend);
  const wt = transposedFilter(backend, filter, cinPadded);
  const padded = backend.makeOutput([n, h, w, cinPadded], 'float32');
  try {
    kernels.conv2dInputGrad(heapOffset(backend, dy), heapOffset(backend, wt), heapOffset(backend, padded), n, h, w, cinPadded,
      ho, wo, cout, info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left);
  } catch (error) {
    backend.disposeData(padded.dataId);
    throw error;
  } finally {
    backend.disposeData(wt.dataId);
  }
  if (cinPadded === cin) return padded;
  const dx = backend.makeOutput([n, h, w, cin], 'float32');
  kernels.copyChannels(heapOffset(backend, padded), heapOffset(backend, dx), n * h * w, cinPadded, cin);
  backend.disposeData(padded.dataId);
  return dx;
}

function conv2DBackpropInput(args: KernelArgs): TensorInfo {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const [dy, filter] = float32Inputs('Conv2DBackpropInput', inputs, ['dy', 'filter']);
  const info = convInfoOf('Conv2DBackpropInput', attrs.inputShape, filter.shape as Shape4, attrs);
  const { inHeight: h, inWidth: w, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  if (dy.shape.includes(0) || attrs.inputShape.includes(0)) {
    const zeros = backend.makeOutput(attrs.inputShape, 'float32');
    heap(backend, zeros).fill(0);
    return zeros;
  }
  if (sh > 1 || sw > 1) return stridedInputGrad(backend, dy, filter, info);
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = h + info.padInfo.top - (info.outHeight - 1) * sh - 1;
  const right = w + info.padInfo.left - (info.outWidth - 1) * sw - 1;

  const intermediates: TensorInfo[] = [];
  try {
    const flipped = flippedTransposedFilter(backend, filter);
    intermediates.push(flipped);
    const convAttrs: Conv2DAttrs = { strides: 1, dilations: 1, dataFormat: 'NHWC', pad: 'valid' };
    let source = dy;
    if (sh === 1 && sw === 1 && Math.min(top, left, bottom, right) >= 0) {
      convAttrs.pad = [[0, 0], [top, bottom], [left, right], [0, 0]];
    } else {
      source = dilateAndPad(backend, dy, sh, sw, top, left, h + kh - 1, w + kw - 1);
      intermediates.push(source);
    }
    return runConv(backend, source, flipped, convAttrs);
  } finally {
    for (const t of intermediates) backend.disposeData(t.dataId);
  }
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
