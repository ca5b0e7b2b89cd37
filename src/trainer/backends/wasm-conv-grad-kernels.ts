/**
 * Convolution gradients for the `wasm` backend, built on its fast forward convolution.
 *
 * tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter` kernel and its `Conv2DBackpropInput` is a
 * scalar loop. Both gradients are themselves convolutions, so they are rewritten here as calls
 * of the wasm `Conv2D` kernel (XNNPACK), about an order of magnitude faster than those loops.
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
 * Filter gradient.
 *
 *     dW[a, b, c, o] = Σ_{n,i,j} xp[n, i·s + a, j·s + b, c] · dy[n, i, j, o].
 *
 * Read this as a convolution whose "batch" is c and whose reduced channel is n: transpose x to
 * [Cin, H, W, N] and dy to [Ho, Wo, N, Cout] (dy becomes the filter). The filter taps are i, j
 * and they step through xp by s rows per tap, which is exactly a convolution with
 * dilation = stride and stride 1; the output position is (a, b). xp is x padded as the forward
 * pass pads it (pt in front; behind, only as much of pb as the forward pass read), so output
 * position a lines up with filter tap a. The output has H + pt + pb' − (Ho − 1)·s ≥ k positions:
 * the first k are the filter gradient; any further ones would be taps past the filter's edge
 * (they appear when 'valid' or the stride leaves input rows at the end that the forward pass
 * never read) and are cropped. A last transpose restores [kh, kw, Cin, Cout].
 */
import type {
  backend_util,
  Conv2DAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
  TransposeAttrs,
} from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type Shape4 = [number, number, number, number];

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

function runTranspose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  const attrs: TransposeAttrs = { perm };
  return wasmKernel('Transpose')({ inputs: { x }, backend, attrs: attrs as unknown as NamedAttrMap }) as TensorInfo;
}

function input(inputs: NamedTensorInfoMap, kernel: string, name: string): TensorInfo {
  const info = inputs[name];
  if (info === undefined) throw new Error(`${kernel} on wasm: input '${name}' is missing`);
  return info;
}

function heap(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

function requireFloat32(kernel: string, infos: Record<string, TensorInfo>): void {
  for (const [name, info] of Object.entries(infos)) {
    if (info.dtype !== 'float32') {
      throw new Error(`${kernel} on wasm: input '${name}' is ${info.dtype}; only float32 is supported`);
    }
  }
}

function convInfoOf(
  kernel: string,
  xShape: Shape4,
  filterShape: Shape4,
  attrs: Conv2DBackpropInputAttrs | Conv2DBackpropFilterAttrs,
): backend_util.Conv2DInfo {
  if (attrs.dataFormat === 'NCHW') {
    throw new Error(`${kernel} on wasm: dataFormat 'NCHW' is not supported; use channels-last (NHWC) tensors`);
  }
  return tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
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

function conv2DBackpropInput(args: KernelArgs): TensorInfo {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const dy = input(inputs, 'Conv2DBackpropInput', 'dy');
  const filter = input(inputs, 'Conv2DBackpropInput', 'filter');
  requireFloat32('Conv2DBackpropInput', { dy, filter });
  const info = convInfoOf('Conv2DBackpropInput', attrs.inputShape, filter.shape as Shape4, attrs);
  const { inHeight: h, inWidth: w, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
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

/** out [Cin, OH, OW, Cout] → its first kh×kw positions as [kh, kw, Cin, Cout]. */
function cropToFilter(backend: BackendWasm, full: TensorInfo, kh: number, kw: number): TensorInfo {
  const [cin, oh, ow, cout] = full.shape as Shape4;
  const out = backend.makeOutput([kh, kw, cin, cout], 'float32');
  const src = heap(backend, full);
  const dst = heap(backend, out);
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      for (let c = 0; c < cin; c++) {
        const from = ((c * oh + a) * ow + b) * cout;
        dst.set(src.subarray(from, from + cout), ((a * kw + b) * cin + c) * cout);
      }
    }
  }
  return out;
}

function conv2DBackpropFilter(args: KernelArgs): TensorInfo {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const x = input(inputs, 'Conv2DBackpropFilter', 'x');
  const dy = input(inputs, 'Conv2DBackpropFilter', 'dy');
  requireFloat32('Conv2DBackpropFilter', { x, dy });
  const info = convInfoOf('Conv2DBackpropFilter', x.shape as Shape4, attrs.filterShape, attrs);
  const { inHeight: h, inWidth: w, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  // Only the part of the forward padding the forward pass actually read.
  const bottom = Math.max(0, (info.outHeight - 1) * sh + kh - h - top);
  const right = Math.max(0, (info.outWidth - 1) * sw + kw - w - left);

  const intermediates: TensorInfo[] = [];
  try {
    const xT = runTranspose(backend, x, [3, 1, 2, 0]);
    intermediates.push(xT);
    const dyT = runTranspose(backend, dy, [1, 2, 0, 3]);
    intermediates.push(dyT);
    const full = runConv(backend, xT, dyT, {
      strides: 1,
      dilations: [sh, sw],
      dataFormat: 'NHWC',
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    });
    intermediates.push(full);
    return cropToFilter(backend, full, kh, kw);
  } finally {
    for (const t of intermediates) backend.disposeData(t.dataId);
  }
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
