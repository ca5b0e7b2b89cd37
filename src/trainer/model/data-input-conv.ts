/**
 * The first convolution of a network reads the images, and nothing needs their gradient. TF.js's
 * fused convolution (which every Conv2D layer uses) computes the input gradient in its custom
 * gradient anyway and throws it away. For the 7×7 stem on one channel that was a third of a
 * small search network's training step on the native backend (oneDNN's backward-data kernel for
 * one input channel is slow), and a Conv2DBackpropInput per step on every backend.
 *
 * The model builder makes every convolution that reads the model's input a `DataInputConv2D`,
 * which in training runs a convolution whose gradient covers the filter and the bias only. It is
 * saved as TF.js's own Conv2D (exported models are unchanged); inference and every other conv
 * keep TF.js's path.
 * Differentiating such a model with respect to its input in training mode fails with TF.js's
 * "not a function of x" error rather than giving a wrong gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { TrainingPassLayer } from './training-pass-layer';

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

/** The settings of a convolution the model builder makes. */
export interface DataInputConvArgs {
  name: string;
  filters: number;
  kernelSize: number;
  strides: number;
  padding: 'same' | 'valid';
  useBias: boolean;
  activation: 'relu' | 'linear';
  kernelInitializer: ReturnType<typeof tf.initializers.glorotUniform>;
  biasInitializer: 'zeros';
}

/**
 * A convolution that treats its input as data: in training, a convolution whose gradient covers
 * the filter and the bias only; everything else is TF.js's own Conv2D.
 */
export class DataInputConv2D extends TrainingPassLayer {
  constructor(private readonly args: DataInputConvArgs) {
    super(args.name, tf.layers.conv2d(args));
  }

  protected override takesTrainingPass(input: tf.Tensor): boolean {
    // Stryker disable next-line ConditionalExpression: a Conv2D layer's input spec admits only rank-4 batches, so every input takes this pass.
    return input.rank === 4;
  }

  protected override trainingCall(input: tf.Tensor, weights: tf.LayerVariable[]): tf.Tensor {
    // The built-in layer's weight order: the kernel, then the bias.
    const [kernel, bias] = weights;
    const { strides, padding, useBias, activation } = this.args;
    return tf.tidy(() => {
      const y = convolveData(input as tf.Tensor4D, kernel.read() as tf.Tensor4D, useBias ? (bias.read() as tf.Tensor1D) : null, [strides, strides], padding);
      return activation === 'relu' ? tf.relu(y) : y;
    });
  }
}
