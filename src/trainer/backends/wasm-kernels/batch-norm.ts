/**
 * The batch-norm kernels of src/trainer/model/batch-norm-ops.ts on the wasm backend, on the
 * SIMD loops of wasm/assembly/batch-norm.ts: the statistics in two reads of x, each gradient
 * pass in one, where TF.js's composition makes about ten passes with temporaries. Also
 * TF.js's own FusedBatchNorm for per-channel statistics, which the package runs as a scalar loop.
 */
import type { FusedBatchNormAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BatchMoments, BatchNormGradInput, BatchNormGradSums } from '../../model/batch-norm-ops';
import { float32Inputs, heapOffset, sizeOf, withScratch } from './heap';
import { packageKernel, wasmKernelConfig, type WasmKernelArgs as Args } from './kernel-config';
import { simdKernels } from './module';

/** Rows and channels of the activation `x`, after checking every other input against it. */
function layout(kernel: string, x: TensorInfo, sameShape: TensorInfo[], perChannel: Record<string, TensorInfo>): { rows: number; c: number } {
  if (x.shape.length < 1) throw new Error(`${kernel} on wasm: x must have a channel axis (got a scalar)`);
  const c = x.shape[x.shape.length - 1];
  for (const t of sameShape) {
    if (sizeOf(t.shape) !== sizeOf(x.shape)) throw new Error(`${kernel} on wasm: dy has shape [${t.shape}] but x has [${x.shape}]; they must match`);
  }
  for (const [name, t] of Object.entries(perChannel)) {
    if (sizeOf(t.shape) !== c) throw new Error(`${kernel} on wasm: ${name} has shape [${t.shape}] but must have ${c} values (one per channel of x)`);
  }
  return { rows: c === 0 ? 0 : sizeOf(x.shape) / c, c };
}

function outputs(backend: BackendWasm, c: number, count: number): TensorInfo[] {
  return Array.from({ length: count }, () => backend.makeOutput([c], 'float32'));
}

function batchMoments({ inputs, backend }: Args): TensorInfo[] {
  const [x] = float32Inputs(BatchMoments, inputs, ['x']);
  const { rows, c } = layout(BatchMoments, x, [], {});
  if (rows === 0) throw new Error(`${BatchMoments} on wasm: x [${x.shape}] has no values to take statistics of`);
  const [mean, variance] = outputs(backend, c, 2);
  withScratch(backend, 3 * c, (scratch) => simdKernels(backend).batchMoments(
    heapOffset(backend, x), rows, c, heapOffset(backend, mean), heapOffset(backend, variance), scratch));
  return [mean, variance];
}

function batchNormGradSums({ inputs, backend }: Args): TensorInfo[] {
  const [dy, x, mean, invStd] = float32Inputs(BatchNormGradSums, inputs, ['dy', 'x', 'mean', 'invStd']);
  const { rows, c } = layout(BatchNormGradSums, x, [dy], { mean, invStd });
  const [sumDy, sumDyXhat] = outputs(backend, c, 2);
  withScratch(backend, 6 * c, (scratch) => simdKernels(backend).batchNormGradSums(
    heapOffset(backend, dy), heapOffset(backend, x), heapOffset(backend, mean), heapOffset(backend, invStd), rows, c,
    heapOffset(backend, sumDy), heapOffset(backend, sumDyXhat), scratch));
  return [sumDy, sumDyXhat];
}

function batchNormGradInput({ inputs, backend, attrs }: Args): TensorInfo {
  const named = float32Inputs(BatchNormGradInput, inputs, ['dy', 'x', 'mean', 'invStd', 'gamma', 'sumDy', 'sumDyXhat']);
  const [dy, x, mean, invStd, gamma, sumDy, sumDyXhat] = named;
  const { rows, c } = layout(BatchNormGradInput, x, [dy], { mean, invStd, gamma, sumDy, sumDyXhat });
  const count = Number(attrs.count);
  if (!(Number.isFinite(count) && count > 0)) throw new Error(`${BatchNormGradInput} on wasm: count must be a positive number, got ${String(attrs.count)}`);
  const dx = backend.makeOutput(x.shape, 'float32');
  if (rows === 0) return dx;
  const [dyAt, xAt, meanAt, invStdAt, gammaAt, sumDyAt, sumDyXhatAt] = named.map((t) => heapOffset(backend, t));
  withScratch(backend, 3 * c, (scratch) => simdKernels(backend).batchNormGradInput(
    dyAt, xAt, meanAt, invStdAt, gammaAt, sumDyAt, sumDyXhatAt, count, rows, c, heapOffset(backend, dx), scratch));
  return dx;
}

/** The package's FusedBatchNorm, kept for the inputs the SIMD loop does not take. */
const packageFusedBatchNorm = packageKernel('FusedBatchNorm');

/** FusedBatchNorm with one float32 value per channel of x in each statistic; anything else goes to the package's kernel. */
function fusedBatchNorm(args: Args): TensorInfo {
  const { inputs, backend } = args;
  const { x, mean, variance, offset, scale } = inputs as Record<string, TensorInfo | undefined>;
  const c = x ? x.shape[x.shape.length - 1] : 0;
  const perChannel = [mean, variance, offset, scale].every((t) => t === undefined || (t.dtype === 'float32' && sizeOf(t.shape) === c));
  if (x === undefined || mean === undefined || variance === undefined || x.dtype !== 'float32' || x.shape.length < 1 || !perChannel) {
    return packageFusedBatchNorm.run(args);
  }
  const epsilon = Number((args.attrs as unknown as FusedBatchNormAttrs).varianceEpsilon);
  const rows = c === 0 ? 0 : sizeOf(x.shape) / c;
  const y = backend.makeOutput(x.shape, 'float32');
  if (rows === 0) return y;
  withScratch(backend, 2 * c, (scratch) => simdKernels(backend).batchNormApply(heapOffset(backend, x), heapOffset(backend, mean),
    heapOffset(backend, variance), offset ? heapOffset(backend, offset) : 0, scale ? heapOffset(backend, scale) : 0, epsilon,
    rows, c, heapOffset(backend, y), scratch));
  return y;
}

export const simdBatchNormConfigs: readonly KernelConfig[] = [
  wasmKernelConfig(BatchMoments, batchMoments),
  wasmKernelConfig(BatchNormGradSums, batchNormGradSums),
  wasmKernelConfig(BatchNormGradInput, batchNormGradInput),
  // Keeping the package kernel's set-up keeps the fallback working.
  wasmKernelConfig('FusedBatchNorm', fusedBatchNorm, packageFusedBatchNorm.setupFunc),
];
