/**
 * 3×3 stride-1 convolutions on the `wasm` backend as Winograd F(2×2, 3×3)
 * (wasm/assembly/winograd.ts): 16 multiply-adds per 2×2 outputs and channel pair instead of 36.
 * They run the forward (`Conv2D`, and `FusedConv2D` with at most a per-channel bias and a ReLU:
 * training's convolutions have neither, evaluation's folded ones both), and through
 * conv-input-grad.ts and conv-filter-grad.ts both gradients. Every other forward convolution
 * goes to the package's kernel (XNNPACK). docs/wasm-kernels.md, "Winograd
 * convolutions".
 */
import type { backend_util, Conv2DAttrs, FusedConv2DAttrs, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { roundUp4, withChannels } from './channels';
import { convInfoOf, type Shape4 } from './conv-info';
import { float32Inputs, heapOffset, withScratch } from './heap';
import { packageKernel, wasmKernelConfig, type WasmKernelArgs } from './kernel-config';
import { simdKernels } from './module';

/**
 * Below this many channels on either side the transforms cost more than the products they save
 * (docs/wasm-kernels.md, "Winograd convolutions").
 */
export const WINOGRAD_MIN_CHANNELS = 8;

/** A stride-1 3×3 convolution's sizes, as the kernel takes them. */
export interface WinogradGeometry {
  n: number;
  h: number;
  w: number;
  cin: number;
  ho: number;
  wo: number;
  cout: number;
  padTop: number;
  padLeft: number;
}

/** Where Winograd runs, for a stride-1, undilated convolution: a 3×3 filter, enough channels, at least one whole tile of output. */
export function winogradFits(filterHeight: number, filterWidth: number, cin: number, cout: number, ho: number, wo: number): boolean {
  return filterHeight === 3 && filterWidth === 3 && cin >= WINOGRAD_MIN_CHANNELS && cout >= WINOGRAD_MIN_CHANNELS && ho >= 2 && wo >= 2;
}

function winogradApplies(info: backend_util.Conv2DInfo): boolean {
  return info.strideHeight === 1 && info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1 &&
    winogradFits(info.filterHeight, info.filterWidth, info.inChannels, info.outChannels, info.outHeight, info.outWidth);
}

function geometryOf(info: backend_util.Conv2DInfo): WinogradGeometry {
  return {
    n: info.batchSize, h: info.inHeight, w: info.inWidth, cin: info.inChannels, ho: info.outHeight, wo: info.outWidth,
    cout: info.outChannels, padTop: info.padInfo.top, padLeft: info.padInfo.left,
  };
}

/** Tiles per block: a block's transformed input and products (16 planes each) in about 256 KB. */
function tileBlock(cinPadded: number, coutPadded: number): number {
  return Math.max(4, Math.floor(4096 / (cinPadded + coutPadded) / 4) * 4);
}

/** withChannels, with a new tensor added to `temporaries` for the caller to dispose. */
function paddedCopy(backend: BackendWasm, t: TensorInfo, channels: number, temporaries: TensorInfo[]): TensorInfo {
  const out = withChannels(backend, t, channels);
  if (out !== t) temporaries.push(out);
  return out;
}

/** What the output transform adds: a bias of `cout` values, then a ReLU. */
export interface Epilogue {
  bias?: TensorInfo;
  relu?: boolean;
}

/**
 * relu?(x [n, h, w, cin] ⊛ filter [3, 3, cin, cout] + bias) → [n, ho, wo, cout]; channels padded
 * to 4 around the kernel where needed.
 */
export function winogradConv(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, g: WinogradGeometry,
  epilogue: Epilogue = {}): TensorInfo {
  const kernels = simdKernels(backend);
  const cinPadded = roundUp4(g.cin), coutPadded = roundUp4(g.cout);
  const temporaries: TensorInfo[] = [];
  try {
    const input = paddedCopy(backend, x, cinPadded, temporaries);
    const bias = epilogue.bias === undefined ? undefined : paddedCopy(backend, epilogue.bias, coutPadded, temporaries);
    const u = backend.makeOutput([16, cinPadded, coutPadded], 'float32');
    temporaries.push(u);
    kernels.winogradFilter(heapOffset(backend, filter), heapOffset(backend, u), g.cin, g.cout, cinPadded, coutPadded);
    const block = tileBlock(cinPadded, coutPadded);
    const out = backend.makeOutput([g.n, g.ho, g.wo, coutPadded], 'float32');
    try {
      withScratch(backend, 16 * (block * (cinPadded + coutPadded) + 32), (scratch) =>
        kernels.winogradConv3x3(heapOffset(backend, input), heapOffset(backend, u), heapOffset(backend, out), g.n, g.h, g.w,
          cinPadded, g.ho, g.wo, coutPadded, g.padTop, g.padLeft, bias === undefined ? 0 : heapOffset(backend, bias),
          epilogue.relu === true, scratch, block));
    } catch (error) {
      backend.disposeData(out.dataId);
      throw error;
    }
    const cropped = withChannels(backend, out, g.cout);
    if (cropped !== out) temporaries.push(out);
    return cropped;
  } finally {
    for (const t of temporaries) backend.disposeData(t.dataId);
  }
}

/** dw [3, 3, cin, cout] of the convolution x ⊛ w whose output's gradient is dy [n, ho, wo, cout]. */
export function winogradFilterGradient(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, g: WinogradGeometry): TensorInfo {
  const kernels = simdKernels(backend);
  const cinPadded = roundUp4(g.cin), coutPadded = roundUp4(g.cout);
  const temporaries: TensorInfo[] = [];
  try {
    const input = paddedCopy(backend, x, cinPadded, temporaries);
    const gradient = paddedCopy(backend, dy, coutPadded, temporaries);
    const du = backend.makeOutput([16, cinPadded, coutPadded], 'float32');
    temporaries.push(du);
    const block = tileBlock(cinPadded, coutPadded);
    const dw = backend.makeOutput([3, 3, g.cin, g.cout], 'float32');
    try {
      withScratch(backend, 16 * (block * (cinPadded + coutPadded) + 32), (scratch) =>
        kernels.winogradFilterGrad(heapOffset(backend, input), heapOffset(backend, gradient), heapOffset(backend, dw), g.n, g.h, g.w,
          cinPadded, g.ho, g.wo, coutPadded, g.padTop, g.padLeft, g.cin, g.cout, heapOffset(backend, du), scratch, block));
    } catch (error) {
      backend.disposeData(dw.dataId);
      throw error;
    }
    return dw;
  } finally {
    for (const t of temporaries) backend.disposeData(t.dataId);
  }
}

function winogradInfo(kernel: string, x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs): backend_util.Conv2DInfo | null {
  const dilations = attrs.dilations ?? 1;
  if (dilations !== 1 && !(Array.isArray(dilations) && dilations.every((d) => d === 1))) return null;
  if (x.shape.includes(0) || filter.shape.includes(0)) return null;
  const info = convInfoOf(kernel, x.shape as Shape4, filter.shape as Shape4, attrs);
  return winogradApplies(info) ? info : null;
}

const packageConv2D = packageKernel('Conv2D');
const packageFusedConv2D = packageKernel('FusedConv2D');

function conv2D(args: WasmKernelArgs): TensorInfo {
  const attrs = args.attrs as unknown as Conv2DAttrs;
  const [x, filter] = float32Inputs('Conv2D', args.inputs, ['x', 'filter']);
  const info = attrs.dataFormat === 'NCHW' ? null : winogradInfo('Conv2D', x, filter, attrs);
  if (info === null) return packageConv2D.run(args);
  return winogradConv(args.backend, x, filter, geometryOf(info));
}

/** A bias and activation the output transform can apply: one float32 value per output channel, no activation or a ReLU. */
function epilogueOf(attrs: FusedConv2DAttrs, inputs: WasmKernelArgs['inputs'], cout: number): Epilogue | null {
  const { bias, preluActivationWeights } = inputs;
  const activation = attrs.activation ?? 'linear';
  if (preluActivationWeights !== undefined || (activation !== 'linear' && activation !== 'relu')) return null;
  if (bias !== undefined && (bias.dtype !== 'float32' || bias.shape.reduce((a, b) => a * b, 1) !== cout || bias.shape[bias.shape.length - 1] !== cout)) return null;
  return { bias, relu: activation === 'relu' };
}

function fusedConv2D(args: WasmKernelArgs): TensorInfo {
  const attrs = args.attrs as unknown as FusedConv2DAttrs;
  if (attrs.dataFormat === 'NCHW') return packageFusedConv2D.run(args);
  const [x, filter] = float32Inputs('FusedConv2D', args.inputs, ['x', 'filter']);
  const info = winogradInfo('FusedConv2D', x, filter, attrs as unknown as Conv2DAttrs);
  const epilogue = info === null ? null : epilogueOf(attrs, args.inputs, info.outChannels);
  if (info === null || epilogue === null) return packageFusedConv2D.run(args);
  return winogradConv(args.backend, x, filter, geometryOf(info), epilogue);
}

export const winogradConfigs = [
  wasmKernelConfig('Conv2D', conv2D, packageConv2D.setupFunc),
  wasmKernelConfig('FusedConv2D', fusedConv2D, packageFusedConv2D.setupFunc),
];
