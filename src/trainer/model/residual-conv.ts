/**
 * The end of a residual block at evaluation, relu(conv(x) + bias + shortcut), as one op. With
 * the batch norm folded into the convolution (inference.ts) the sum and the ReLU after it are
 * the last passes over the block's activations that are not the convolution itself; a backend
 * that registers `ResidualConv2D` (the native one) does them inside the convolution, every
 * other backend runs TF.js's fused convolution, an add and a ReLU (docs/benchmarks.md,
 * "Residual sums fused into the convolution").
 */
import * as tf from '@tensorflow/tfjs';
import { activeBackendHas } from './backend-kernel';

/**
 * Kernel name a backend may implement: inputs `{ x, filter, bias, residual }` (NHWC; HWIO
 * filter; bias per output channel; residual of the output's shape), attributes `{ strides, pad,
 * dilations, relu, consumeResidual }`; output relu?(conv(x, filter) + bias + residual).
 */
export const ResidualConv2D = 'ResBuilderResidualConv2D';

export interface ResidualConvArgs {
  x: tf.Tensor4D;
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
  residual: tf.Tensor;
  strides: [number, number];
  pad: 'same' | 'valid';
  dilations: [number, number];
  relu: boolean;
  /**
   * The caller reads `residual` no more and disposes it after this op: a backend may then write
   * the output over the residual's memory (the native one does, when no other tensor shares it).
   */
  consumeResidual?: boolean;
}

export function residualConv2d(a: ResidualConvArgs): tf.Tensor {
  const tensors = [a.x, a.filter, a.bias, a.residual];
  if (activeBackendHas(ResidualConv2D) && tensors.every((t) => t.dtype === 'float32')) {
    const attrs = { strides: a.strides, pad: a.pad, dilations: a.dilations, relu: a.relu, consumeResidual: a.consumeResidual === true };
    return tf.engine().runKernel(ResidualConv2D, { x: a.x, filter: a.filter, bias: a.bias, residual: a.residual }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  }
  return tf.tidy(() => {
    const conv = tf.fused.conv2d({ x: a.x, filter: a.filter, bias: a.bias, strides: a.strides, pad: a.pad, dilations: a.dilations });
    const sum = tf.add(conv, a.residual);
    return a.relu ? tf.relu(sum) : sum;
  });
}
