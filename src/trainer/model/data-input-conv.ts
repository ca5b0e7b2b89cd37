/**
 * The first convolution of a network reads the images, and nothing needs their gradient. TF.js's
 * fused convolution (which every Conv2D layer uses) computes the input gradient in its custom
 * gradient anyway and throws it away. For the 7×7 stem on one channel that was a third of a
 * small search network's training step on the native backend (oneDNN's backward-data kernel for
 * one input channel is slow), and a Conv2DBackpropInput per step on every backend.
 *
 * In training, a Conv2D layer fed directly by the model's input layer therefore runs a
 * convolution whose gradient covers the filter and the bias only. The layer stays the built-in
 * Conv2D (exported models are unchanged); inference and every other conv keep TF.js's path.
 * Differentiating such a model with respect to its input in training mode fails with TF.js's
 * "not a function of x" error rather than giving a wrong gradient.
 */
import * as tf from '@tensorflow/tfjs';

interface ConvLayerInternals {
  rank: number;
  kernel: tf.LayerVariable | null;
  bias: tf.LayerVariable | null;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number | number[];
  activation: { apply(x: tf.Tensor): tf.Tensor; getClassName(): string } | null;
  inboundNodes: Array<{ inboundLayers: Array<{ getClassName(): string }> }>;
}

type CallFunction = (this: ConvLayerInternals, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

function readsModelInput(layer: ConvLayerInternals): boolean {
  const nodes = layer.inboundNodes ?? [];
  return nodes.length === 1 && nodes[0].inboundLayers.length === 1 && nodes[0].inboundLayers[0].getClassName() === 'InputLayer';
}

function handled(layer: ConvLayerInternals, input: tf.Tensor): boolean {
  const dilations = Array.isArray(layer.dilationRate) ? layer.dilationRate : [layer.dilationRate];
  return layer.rank === 2 && input.rank === 4 && layer.kernel !== null && layer.dataFormat === 'channelsLast' &&
    (layer.padding === 'same' || layer.padding === 'valid') && dilations.every((d) => d === 1) && readsModelInput(layer);
}

/** conv2d(x, filter) + bias with a gradient for filter and bias only; x is treated as data. */
export function convolveData(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D | null, strides: [number, number], pad: 'same' | 'valid'): tf.Tensor4D {
  const forward = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const f = args[0] as tf.Tensor4D;
    const b = bias ? (args[1] as tf.Tensor1D) : null;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    save([x]);
    const y = tf.conv2d(x, f, strides, pad);
    return {
      value: b ? tf.add(y, b) : y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const dFilter = tf.engine().runKernel('Conv2DBackpropFilter', { x: saved[0], dy },
          { strides, pad, dataFormat: 'NHWC', filterShape: f.shape }) as tf.Tensor;
        return b ? [dFilter, tf.sum(dy, [0, 1, 2])] : [dFilter];
      },
    };
  });
  return (bias ? forward(filter, bias) : forward(filter)) as tf.Tensor4D;
}

let installed = false;

/** Idempotent; affects every Conv2D layer of this process. */
export function installDataInputConv(): void {
  if (installed) return;
  installed = true;
  const prototype = Object.getPrototypeOf(tf.layers.conv2d({ filters: 1, kernelSize: 1 })) as { call: CallFunction };
  const original = prototype.call;
  prototype.call = function (this: ConvLayerInternals, inputs, kwargs) {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs?.training || !handled(this, input)) return original.call(this, inputs, kwargs);
    return tf.tidy(() => {
      const strides = [this.strides[0], this.strides[1] ?? this.strides[0]] as [number, number];
      const y = convolveData(input as tf.Tensor4D, this.kernel!.read() as tf.Tensor4D, (this.bias?.read() as tf.Tensor1D | undefined) ?? null,
        strides, this.padding as 'same' | 'valid');
      return this.activation && this.activation.getClassName() !== 'linear' ? this.activation.apply(y) : y;
    });
  };
}
