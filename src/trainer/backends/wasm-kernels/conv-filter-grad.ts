/**
 * Conv2DBackpropFilter for the wasm backend: 3×3 stride-1 convolutions by Winograd (winograd.ts),
 * the others on the SIMD kernel of wasm/assembly/conv-filter-grad.ts, a register-tiled GEMM per
 * filter tap that reads x and dy where they lie (NHWC), with no transposes and no padded copy of x.
 */
import type { Conv2DBackpropFilterAttrs, TensorInfo } from '@tensorflow/tfjs';
import { roundUp4, withChannels } from './channels';
import { convInfoOf, type Shape4 } from './conv-info';
import { float32Inputs, heapOffset, zerosOutput } from './heap';
import { wasmKernelConfig, type WasmKernelArgs } from './kernel-config';
import { simdKernels } from './module';
import { winogradFilterGradient, winogradFits } from './winograd';

const KERNEL = 'Conv2DBackpropFilter';

function conv2DBackpropFilter(args: WasmKernelArgs): TensorInfo {
  const { backend } = args;
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const [x, dy] = float32Inputs(KERNEL, args.inputs, ['x', 'dy']);
  const info = convInfoOf(KERNEL, x.shape as Shape4, attrs.filterShape, attrs);
  const [n, ho, wo, cout] = dy.shape as Shape4;
  if (n !== info.batchSize || ho !== info.outHeight || wo !== info.outWidth || cout !== info.outChannels) {
    throw new Error(`${KERNEL} on wasm: dy has shape [${dy.shape}] but x [${x.shape}] with filter [${attrs.filterShape}] gives [${info.outShape}]`);
  }
  const { filterHeight: kh, filterWidth: kw, inChannels: cin } = info;
  if (x.shape.includes(0) || dy.shape.includes(0)) return zerosOutput(backend, [kh, kw, cin, cout]);
  if (info.strideHeight === 1 && info.strideWidth === 1 && winogradFits(kh, kw, cin, cout, ho, wo)) {
    return winogradFilterGradient(backend, x, dy, {
      n, h: info.inHeight, w: info.inWidth, cin, ho, wo, cout, padTop: info.padInfo.top, padLeft: info.padInfo.left,
    });
  }
  const paddedDy = withChannels(backend, dy, roundUp4(cout));
  const padded = paddedDy.shape[3];
  const dw = backend.makeOutput([kh, kw, cin, padded], 'float32');
  try {
    simdKernels(backend).conv2dFilterGrad(heapOffset(backend, x), heapOffset(backend, paddedDy), heapOffset(backend, dw),
      n, info.inHeight, info.inWidth, cin, ho, wo, padded, kh, kw, info.strideHeight, info.strideWidth,
      info.padInfo.top, info.padInfo.left);
    if (padded === cout) return dw;
    const trimmed = withChannels(backend, dw, cout);
    backend.disposeData(dw.dataId);
    return trimmed;
  } catch (error) {
    backend.disposeData(dw.dataId);
    throw error;
  } finally {
    if (paddedDy !== dy) backend.disposeData(paddedDy.dataId);
  }
}

export const simdConv2DBackpropFilterConfig = wasmKernelConfig(KERNEL, conv2DBackpropFilter);
