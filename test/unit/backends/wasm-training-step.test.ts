/**
 * One training step of a small network in both block styles the models use must give the same
 * weights on wasm as on cpu; a kernel the step needs that wasm lacks fails here with
 * "Kernel '…' not registered for backend 'wasm'".
 */
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { registerWasmGradients } from '../../../src/trainer/backends/wasm-gradients';
import { relativeError, useBackend, values } from './compare';

const SHAPE = [9, 9, 2] as const;
const BATCH = 4;
const CLASSES = 3;

function sym(layer: tf.layers.Layer, input: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor {
  return layer.apply(input) as tf.SymbolicTensor;
}

/** stem → standard block → max pool → reference block (stride 2, channel zero-padding) → head. */
function buildModel(): tf.LayersModel {
  const input = tf.input({ shape: [...SHAPE] });
  const stem = sym(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }), input);
  // Standard block: conv → batch norm → relu → conv → batch norm, add, relu. A bias before batch
  // norm has a gradient of exactly zero in theory, and Adam would blow its rounding noise up to a
  // full step of either sign, so those convolutions have none (as in the models).
  let h = sym(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false }), stem);
  h = sym(tf.layers.batchNormalization(), h);
  h = sym(tf.layers.activation({ activation: 'relu' }), h);
  h = sym(tf.layers.conv2d({ filters: 4, kernelSize: 1, padding: 'valid', useBias: false }), h);
  h = sym(tf.layers.batchNormalization(), h);
  h = sym(tf.layers.add(), [h, stem]);
  h = sym(tf.layers.activation({ activation: 'relu' }), h);
  h = sym(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }), h);
  // Reference block: batch norm → conv(relu), shortcut widened 4 → 6 by a fixed 1×1 conv.
  const eye = [...Array(4).keys()].flatMap((i) => [...Array(6).keys()].map((j) => (i === j ? 1 : 0)));
  const widen = tf.layers.conv2d({ filters: 6, kernelSize: 1, useBias: false, trainable: false });
  let shortcut = sym(widen, h);
  widen.setWeights([tf.tensor4d(eye, [1, 1, 4, 6])]);
  shortcut = sym(tf.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'same' }), shortcut);
  let r = sym(tf.layers.batchNormalization(), h);
  r = sym(tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), r);
  r = sym(tf.layers.add(), [r, shortcut]);
  r = sym(tf.layers.globalAveragePooling2d({}), r);
  const output = sym(tf.layers.dense({ units: CLASSES, activation: 'softmax' }), r);
  return tf.model({ inputs: input, outputs: output });
}

/** Cross-entropy + L1 + L2 on kernels + a group-LASSO term over output channels. */
function loss(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): tf.Scalar {
  const p = model.apply(x, { training: true }) as tf.Tensor;
  let total = tf.mean(tf.metrics.categoricalCrossentropy(y, p)) as tf.Scalar;
  for (const w of model.trainableWeights) {
    if (!w.name.includes('kernel')) continue;
    const v = w.read();
    total = tf.add(total, tf.mul(tf.sum(tf.abs(v)), 1e-3));
    total = tf.add(total, tf.mul(tf.sum(tf.square(v)), 1e-3));
    if (v.rank === 4) total = tf.add(total, tf.mul(tf.sum(tf.sqrt(tf.add(tf.mean(tf.square(v), [0, 1, 2]), 1e-8))), 1e-2));
  }
  return total;
}

/** Builds the model with `initial` weights on `backend`, takes one step, returns the weights. */
async function stepOn(
  backend: 'wasm' | 'cpu',
  makeOptimizer: () => tf.Optimizer,
  initial: Float32Array[],
): Promise<Float32Array[]> {
  await useBackend(backend);
  const model = buildModel();
  model.setWeights(model.weights.map((w, i) => tf.tensor(initial[i], w.read().shape)));
  const x = tf.tensor4d(values(BATCH * SHAPE[0] * SHAPE[1] * SHAPE[2], 11), [BATCH, ...SHAPE]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), CLASSES);
  const optimizer = makeOptimizer();
  optimizer.minimize(() => loss(model, x, y));
  const after = await Promise.all(model.weights.map(async (w) => (await w.read().data()) as Float32Array));
  optimizer.dispose();
  model.dispose();
  tf.dispose([x, y]);
  return after;
}

describe('one training step on wasm', () => {
  let initial: Float32Array[];

  before(async () => {
    registerWasmGradients();
    await useBackend('cpu');
    const model = buildModel();
    initial = model.weights.map((w, i) => values(w.read().size, 100 + i).map((v) => v * 0.5));
    // Batch-norm variances must be positive.
    model.weights.forEach((w, i) => {
      if (w.name.includes('variance')) initial[i] = initial[i].map((v) => 1 + Math.abs(v));
    });
    model.dispose();
  });
  after(async () => {
    await useBackend('wasm');
  });

  const optimizers: Array<[string, () => tf.Optimizer]> = [
    ['Adam', () => tf.train.adam(0.01)],
    ['SGD', () => tf.train.sgd(0.1)],
  ];
  for (const [name, makeOptimizer] of optimizers) {
    it(`updates the weights as cpu does (${name})`, async () => {
      const onWasm = await stepOn('wasm', makeOptimizer, initial);
      const onCpu = await stepOn('cpu', makeOptimizer, initial);
      assert.equal(onWasm.length, onCpu.length);
      let changed = 0;
      onCpu.forEach((want, i) => {
        assert.ok(relativeError(onWasm[i], want) <= 1e-4, `weight ${i}: relative error ${relativeError(onWasm[i], want)}`);
        if (relativeError(want, initial[i]) > 1e-3) changed++;
      });
      assert.ok(changed >= onCpu.length / 2, `the step changed only ${changed} of ${onCpu.length} weights`);
    });
  }
});
