// Elementwise kernels: unary maps, broadcasting binary ops and AddN. The op codes are the
// enum order in native/src/elementwise.cc.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import {
  Abs, Add, AddN, backend_util, Exp, Log, Maximum, Minimum, Multiply, Neg, RealDiv, Relu, Relu6, Rsqrt,
  Sigmoid, Sqrt, Square, SquaredDifference, Step, Sub, Tanh, util,
} from '@tensorflow/tfjs';

import { ReluGrad } from '../../../model/relu-gradient';
import { withCpuFallback } from '../backend';

const NAME = 'native';

export const UNARY_OPS: Readonly<Record<string, number>> = {
  [Relu]: 0, [Relu6]: 1, [Step]: 2, [Neg]: 3, [Square]: 4, [Sqrt]: 5, [Rsqrt]: 6, [Exp]: 7, [Log]: 8,
  [Abs]: 9, [Sigmoid]: 10, [Tanh]: 11,
};

export const BINARY_OPS: Readonly<Record<string, number>> = {
  [Add]: 0, [Sub]: 1, [Multiply]: 2, [RealDiv]: 3, [SquaredDifference]: 4, [Maximum]: 5, [Minimum]: 6,
  // The fused ReLU gradient of src/trainer/model/relu-gradient.ts.
  [ReluGrad]: 7,
};

function unary(kernelName: string, op: number): KernelConfig {
  return {
    kernelName,
    backendName: NAME,
    kernelFunc: withCpuFallback(kernelName, ({ inputs, backend, attrs }) => {
      const { x } = inputs as { x: TensorInfo };
      const xv = backend.float32(x);
      if (!xv) return null;
      const out = backend.allocate(xv.length);
      const alpha = typeof attrs.alpha === 'number' ? attrs.alpha : 0;
      backend.addon.unary(xv, out, op, alpha);
      return backend.output(x.shape, out);
    }),
  };
}

function binary(kernelName: string, op: number): KernelConfig {
  return {
    kernelName,
    backendName: NAME,
    kernelFunc: withCpuFallback(kernelName, ({ inputs, backend }) => {
      const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
      const av = backend.float32(a), bv = backend.float32(b);
      if (!av || !bv) return null;
      const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const out = backend.allocate(util.sizeFromShape(outShape));
      backend.addon.binary(av, a.shape, bv, b.shape, out, outShape, op);
      return backend.output(outShape, out);
    }),
  };
}

const addN: KernelConfig = {
  kernelName: AddN,
  backendName: NAME,
  kernelFunc: withCpuFallback(AddN, ({ inputs, backend }) => {
    const tensors = inputs as unknown as TensorInfo[];
    if (tensors.length === 0) return null;
    const values: Float32Array[] = [];
    for (const t of tensors) {
      const v = backend.float32(t);
      if (!v || !util.arraysEqual(t.shape, tensors[0].shape)) return null;
      values.push(v);
    }
    const out = backend.allocate(values[0].length);
    backend.addon.addN(values, out);
    return backend.output(tensors[0].shape, out);
  }),
};

export const elementwiseKernels: KernelConfig[] = [
  ...Object.entries(UNARY_OPS).map(([name, op]) => unary(name, op)),
  ...Object.entries(BINARY_OPS).map(([name, op]) => binary(name, op)),
  addN,
];
