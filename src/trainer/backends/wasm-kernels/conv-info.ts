/** The convolution geometry TF.js computes for a channels-last conv, for the wasm gradient kernels. */
import type { backend_util, Conv2DBackpropInputAttrs } from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';

export type Shape4 = [number, number, number, number];

export function convInfoOf(
  kernel: string,
  xShape: Shape4,
  filterShape: Shape4,
  attrs: Pick<Conv2DBackpropInputAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'>,
): backend_util.Conv2DInfo {
  if (attrs.dataFormat === 'NCHW') {
    throw new Error(`${kernel} on wasm: dataFormat 'NCHW' is not supported; use channels-last (NHWC) tensors`);
  }
  return tf.backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
}
