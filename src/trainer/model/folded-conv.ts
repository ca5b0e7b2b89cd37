/**
 * A convolution at evaluation with its batch norm folded in (inference.ts), as one op:
 * relu?(conv(x) + bias [+ shortcut]). At the end of a residual block the sum with the shortcut
 * and the ReLU after it are the last passes over the block's activations that are not the
 * convolution itself; a backend that registers `FoldedConv2D` (the native one) does them inside
 * the convolution, and, because the filter is constant from batch to batch, keeps the filter's
 * transform into its own layout (Winograd's, where that runs) from one batch to the next. Every other
 * backend runs TF.js's fused convolution, an add and a ReLU (docs/benchmarks.md, "Residual
 * sums fused into the convolution" and "Winograd convolutions at evaluation").
 */
import * as tf from '@tensorflow/tfjs';
import { activeBackendHas } from './backend-kernel';

/**
 * Kernel name a backend may implement: inputs `{ x, filter, bias, residual? }` (NHWC; HWIO
 * filter; bias per output channel; residual of the output's shape), attributes `{ strides, pad,
 * dilations, relu, consumeResidual }`; output relu?(conv(x, filter) + bias [+ residual]). Only
 * evaluation calls it: the filter holds the same values from one call to the next.
 */
export const FoldedConv2D = 'ResBuilderFoldedConv2D';

export interface FoldedConvArgs {
  x: tf.Tensor4D;
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
  /** The shortcut added before the ReLU, when the convolution ends a residual block. */
  residual?: tf.Tensor;
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

export function foldedConv2d(a: FoldedConvArgs): tf.Tensor {
  const inputs: tf.NamedTensorMap = { x: a.x, filter: a.filter, bias: a.bias, ...(a.residual ? { residual: a.residual } : {}) };
  if (activeBackendHas(FoldedConv2D) && Object.values(inputs).every((t) => t.dtype === 'float32')) {
    const attrs = { strides: a.strides, pad: a.pad, dilations: a.dilations, relu: a.relu, consumeResidual: a.consumeResidual === true };
    return tf.engine().runKernel(FoldedConv2D, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  }
  const residual = a.residual;
  if (!residual) {
    // Stryker disable next-line StringLiteral: TF.js's fused convolution reads an empty activation as linear.
    return tf.fused.conv2d({ x: a.x, filter: a.filter, bias: a.bias, strides: a.strides, pad: a.pad, dilations: a.dilations, activation: a.relu ? 'relu' : 'linear' });
  }
  return tf.tidy(() => {
    const conv = tf.fused.conv2d({ x: a.x, filter: a.filter, bias: a.bias, strides: a.strides, pad: a.pad, dilations: a.dilations });
    const sum = tf.add(conv, residual);
    return a.relu ? tf.relu(sum) : sum;
  });
}
