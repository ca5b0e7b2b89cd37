// Matrix products: BatchMatMul (what tf.matMul runs) and _FusedMatMul (dense layers with bias
// and activation). Operands whose batch dimensions differ (broadcast batches) use the CPU kernel.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { _FusedMatMul, BatchMatMul, util } from '@tensorflow/tfjs';

import type { NativeBackend } from '../backend';
import { withCpuFallback } from '../backend';

const NAME = 'native';

function product(backend: NativeBackend, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean,
  bias: TensorInfo | undefined, relu: boolean): TensorInfo | null {
  const av = backend.float32(a), bv = backend.float32(b);
  if (!av || !bv || a.shape.length < 2 || a.shape.length !== b.shape.length) return null;
  const rank = a.shape.length;
  const batchDims = a.shape.slice(0, rank - 2);
  if (!util.arraysEqual(batchDims, b.shape.slice(0, rank - 2))) return null;
  const m = transposeA ? a.shape[rank - 1] : a.shape[rank - 2];
  const k = transposeA ? a.shape[rank - 2] : a.shape[rank - 1];
  const kb = transposeB ? b.shape[rank - 1] : b.shape[rank - 2];
  const n = transposeB ? b.shape[rank - 2] : b.shape[rank - 1];
  const batch = util.sizeFromShape(batchDims);
  if (k !== kb || batch * m * k * n === 0) return null;
  let biasValues: Float32Array | null = null;
  if (bias) {
    biasValues = backend.float32(bias);
    if (!biasValues || biasValues.length !== n || bias.shape[bias.shape.length - 1] !== n) return null;
  }
  const out = backend.allocate(batch * m * n);
  backend.addon.matmul(av, bv, biasValues, out, [batch, m, k, n], transposeA, transposeB, relu);
  return backend.output([...batchDims, m, n], out);
}

const batchMatMul: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: NAME,
  kernelFunc: withCpuFallback(BatchMatMul, ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    return product(backend, a, b, Boolean(attrs.transposeA), Boolean(attrs.transposeB), undefined, false);
  }),
};

const fusedMatMul: KernelConfig = {
  kernelName: _FusedMatMul,
  backendName: NAME,
  kernelFunc: withCpuFallback(_FusedMatMul, ({ inputs, backend, attrs }) => {
    const { a, b, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
    const activation = (attrs.activation as string | undefined) ?? 'linear';
    if ((activation !== 'linear' && activation !== 'relu') || preluActivationWeights || !a || !b) return null;
    return product(backend, a, b, Boolean(attrs.transposeA), Boolean(attrs.transposeB), bias, activation === 'relu');
  }),
};

export const matmulKernels: KernelConfig[] = [batchMatMul, fusedMatMul];
