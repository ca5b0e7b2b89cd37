/**
 * The convolution input gradient for the `wasm` backend.
 *
 * tfjs-backend-wasm 4.22's `Conv2DBackpropInput` is a scalar loop. It is replaced two ways:
 * - stride 1 (with paddings no larger than the filter): the gradient is itself a convolution,
 *   run as Winograd where that applies (winograd.ts), else on the package's `Conv2D` (XNNPACK),
 *   about an order of magnitude faster than that loop;
 * - everything else: a SIMD kernel that scatters dy·Wᵀ onto dx directly
 *   (wasm/assembly/conv-input-grad.ts). Through XNNPACK a strided gradient would convolve a dy
 *   dilated with zeros, sh·sw times the work.
 *
 * Notation, per spatial axis (the width axis is the same with its own numbers): input length H,
 * filter size k, stride s, padding before the data pt (after it pb), output length Ho. The
 * forward pass is
 *
 *     y[i] = Σ_a xp[i·s + a] · W[a],        xp[h] = x[h − pt]  (zero outside x)
 *
 * where channels are summed as well (W is [kh, kw, Cin, Cout], tensors are NHWC). Each x[h]
 * reaches y[i] through tap a = h + pt − i·s, so
 *
 *     dx[h] = Σ_{i,a : i·s + a = h + pt} dy[i] · W[a].
 *
 * With s = 1 this is dx[h] = Σ_a dy[h + pt − a] · W[a]. Substituting a' = k − 1 − a turns it
 * into a plain correlation with the spatially flipped filter: dx[h] = Σ_a' dyp[h + a'] · Wflip[a'],
 * where dyp is dy with k − 1 − pt zeros in front (so row 0 of dyp is row −(k − 1 − pt) of dy) and
 * H + pt − Ho zeros behind, so that a 'valid' convolution yields exactly H rows. For 'same'
 * padding the back pad works out to k − 1 − pb: the gradient's padding mirrors the forward
 * padding. The filter's channel axes swap too (dy has Cout channels, dx has Cin), so the
 * gradient filter is W[k−1−a, k−1−b, c, o] stored as [kh, kw, Cout, Cin]. Both pads are the
 * convolution's own padding; a forward padding larger than the filter would make them
 * negative, and that case goes to the SIMD kernel.
 *
 * The filter gradient is a SIMD kernel of its own (conv-filter-grad.ts).
 */
import type { backend_util, Conv2DAttrs, Conv2DBackpropInputAttrs, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { roundUp4, withChannels } from './channels';
import { convInfoOf, type Shape4 } from './conv-info';
import { float32Inputs, heapOffset, zerosOutput } from './heap';
import { packageKernel, wasmKernelConfig, type WasmKernelArgs } from './kernel-config';
import { simdKernels } from './module';
import { winogradConv, winogradFits } from './winograd';

const packageConv2D = packageKernel('Conv2D');

function runConv(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs): TensorInfo {
  return packageConv2D.run({ inputs: { x, filter }, backend, attrs: attrs as unknown as NamedAttrMap });
}

/**
 * W [kh, kw, Cin, Cout] → [kh, kw, Cout, cinPadded] (zeros in the padded input channels), with
 * the taps in reverse order (W[kh−1−a, kw−1−b]) when `flipped`.
 */
function transposedFilter(backend: BackendWasm, filter: TensorInfo, flipped: boolean, cinPadded: number): TensorInfo {
  const [kh, kw, cin, cout] = filter.shape as Shape4;
  const taps = kh * kw;
  const out = backend.makeOutput([kh, kw, cout, cinPadded], 'float32');
  // Views are taken after makeOutput: growing the wasm heap detaches older views.
  const src = backend.typedArrayFromHeap(filter) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  if (cinPadded !== cin) dst.fill(0);
  for (let tap = 0; tap < taps; tap++) {
    // (kh−1−a)·kw + (kw−1−b) = taps − 1 − (a·kw + b)
    const srcTap = (flipped ? taps - 1 - tap : tap) * cin * cout;
    const dstTap = tap * cout * cinPadded;
    for (let c = 0; c < cin; c++) {
      for (let o = 0; o < cout; o++) dst[dstTap + o * cinPadded + c] = src[srcTap + c * cout + o];
    }
  }
  return out;
}

/** Any stride and padding, on the SIMD kernel (input channels padded to a multiple of 4 and cropped again). */
function scatteredInputGrad(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: cin, outHeight: ho, outWidth: wo, outChannels: cout } = info;
  const cinPadded = roundUp4(cin);
  const kernels = simdKernels(backend);
  const wt = transposedFilter(backend, filter, false, cinPadded);
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
  const dx = withChannels(backend, padded, cin);
  if (dx !== padded) backend.disposeData(padded.dataId);
  return dx;
}

function conv2DBackpropInput(args: WasmKernelArgs): TensorInfo {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const [dy, filter] = float32Inputs('Conv2DBackpropInput', inputs, ['dy', 'filter']);
  const info = convInfoOf('Conv2DBackpropInput', attrs.inputShape, filter.shape as Shape4, attrs);
  const { inHeight: h, inWidth: w, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  if (dy.shape.includes(0) || attrs.inputShape.includes(0)) return zerosOutput(backend, attrs.inputShape);
  if (dy.shape.join() !== info.outShape.join()) {
    throw new Error(`Conv2DBackpropInput on wasm: dy has shape [${dy.shape}] but an input [${attrs.inputShape}] with filter [${filter.shape}] gives [${info.outShape}]`);
  }
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = h + info.padInfo.top - (info.outHeight - 1) * sh - 1;
  const right = w + info.padInfo.left - (info.outWidth - 1) * sw - 1;
  if (sh > 1 || sw > 1 || Math.min(top, left, bottom, right) < 0) return scatteredInputGrad(backend, dy, filter, info);

  const flipped = transposedFilter(backend, filter, true, info.inChannels);
  try {
    if (winogradFits(kh, kw, info.outChannels, info.inChannels, h, w)) {
      return winogradConv(backend, dy, flipped, {
        n: info.batchSize, h: info.outHeight, w: info.outWidth, cin: info.outChannels, ho: h, wo: w, cout: info.inChannels, padTop: top, padLeft: left,
      });
    }
    return runConv(backend, dy, flipped, { strides: 1, dilations: 1, dataFormat: 'NHWC', pad: [[0, 0], [top, bottom], [left, right], [0, 0]] });
  } finally {
    backend.disposeData(flipped.dataId);
  }
}

export const conv2DBackpropInputConfig = wasmKernelConfig('Conv2DBackpropInput', conv2DBackpropInput);
