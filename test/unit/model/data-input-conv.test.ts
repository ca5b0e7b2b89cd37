/** The first conv's filter-and-bias-only gradient against TF.js's fused convolution, on cpu and native. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { DataInputConv2D } from '../../../src/trainer/model/data-input-conv';
import { relativeError, useNativeBackend } from '../native/helpers';

/** input → conv (stride 2, bias) → conv → flatten → dense: only the first conv reads the input. */
function smallModel(padding: 'same' | 'valid', activation: 'relu' | 'linear'): tf.LayersModel {
  const input = tf.input({ shape: [9, 9, 2] });
  const stem = new DataInputConv2D({ name: 'stem', filters: 4, kernelSize: 3, strides: 2, padding, useBias: true, activation, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), biasInitializer: 'zeros' }).apply(input) as tf.SymbolicTensor;
  const next = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(stem) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(next) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 5, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }).apply(flat) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** Loss and gradients of every weight; `training` picks the data-input path (true) or TF.js's own (false: no BN or dropout here, so only the stem's path differs). */
function lossAndGrads(model: tf.LayersModel, x: tf.Tensor, training: boolean): { loss: number; grads: Float32Array[] } {
  const weights = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(model.apply(x, { training }) as tf.Tensor)) as tf.Scalar, weights);
  const result = { loss: value.dataSync()[0], grads: weights.map((w) => grads[w.name].dataSync() as Float32Array) };
  tf.dispose([value, ...Object.values(grads)]);
  return result;
}

/** The stem's bias starts at zero; a non-zero one checks that the bias reaches the output. */
function randomizeBias(model: tf.LayersModel): void {
  const bias = model.getLayer('stem').weights[1];
  const value = tf.randomNormal(bias.shape as number[], 0, 1, 'float32', 2);
  bias.write(value);
  value.dispose();
}

describe('first conv without an input gradient', () => {
  before(async () => {
    await useNativeBackend();
  });
  after(() => tf.setBackend('native'));

  for (const backend of ['cpu', 'native']) {
    for (const [padding, activation] of [['same', 'linear'], ['valid', 'relu']] as const) {
      it(`${backend}, ${padding} padding, ${activation}: same loss and weight gradients as TF.js's fused conv`, async () => {
        await tf.setBackend(backend);
        const model = smallModel(padding, activation);
        randomizeBias(model);
        const x = tf.randomNormal([3, 9, 9, 2], 0, 1, 'float32', 5);
        const patched = lossAndGrads(model, x, true);
        const reference = lossAndGrads(model, x, false);
        assert.ok(Math.abs(patched.loss - reference.loss) <= 1e-5 * Math.abs(reference.loss));
        reference.grads.forEach((g, i) => assert.ok(relativeError(patched.grads[i], g) <= 1e-5, `gradient ${i}: ${relativeError(patched.grads[i], g)}`));
        tf.dispose(x);
        model.dispose();
      });
    }
  }

  it('skips the stem\'s Conv2DBackpropInput in training, and only there', async () => {
    await tf.setBackend('native');
    const model = smallModel('same', 'linear');
    const x = tf.randomNormal([3, 9, 9, 2], 0, 1, 'float32', 6);
    const backpropInputs = async (training: boolean) => {
      const info = await tf.profile(() => lossAndGrads(model, x, training));
      return info.kernels.filter((k) => k.name === 'Conv2DBackpropInput').map((k) => k.inputShapes[0]);
    };
    assert.equal((await backpropInputs(false)).length, 2, 'TF.js computes both convs\' input gradients');
    const training = await backpropInputs(true);
    assert.deepEqual(training, [[3, 5, 5, 3]], 'only the second conv\'s input gradient remains');
    tf.dispose(x);
    model.dispose();
  });

  it('is saved as the built-in Conv2D with its config and weight names', () => {
    const args = { name: 'stem', filters: 4, kernelSize: 7, strides: 2, padding: 'same', useBias: false, activation: 'linear', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), biasInitializer: 'zeros' } as const;
    const layer = new DataInputConv2D(args);
    layer.apply(tf.input({ shape: [16, 16, 1] }));
    assert.equal(layer.getClassName(), 'Conv2D');
    assert.deepEqual(layer.getConfig(), tf.layers.conv2d(args).getConfig());
    assert.deepEqual(layer.weights.map((w) => w.originalName), ['stem/kernel']);
  });
});
