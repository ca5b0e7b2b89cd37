import * as assert from 'node:assert/strict';

import * as tf from '@tensorflow/tfjs';

import { loadNativeAddon } from '../../../src/trainer/backends/native';
import { countAddonCalls, randomValues, relativeError, useNativeBackend } from './helpers';

const INPUT: [number, number, number] = [8, 8, 3];
const CLASSES = 4;

/** A conv-BN-ReLU net like a small residual stage: the layers a ResBuilder model is made of. */
function buildModel(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: INPUT, filters: 8, kernelSize: 3, padding: 'same', useBias: false }));
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.activation({ activation: 'relu' }));
  model.add(tf.layers.conv2d({ filters: 12, kernelSize: 3, strides: 2, padding: 'same', useBias: false }));
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.activation({ activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dense({ units: CLASSES, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

function batch(size: number, seed: number): { x: tf.Tensor; y: tf.Tensor } {
  const labels = Array.from({ length: size }, (_, i) => (i * 7 + seed) % CLASSES);
  return {
    x: tf.tensor4d(randomValues(size * INPUT[0] * INPUT[1] * INPUT[2], seed), [size, ...INPUT]),
    y: tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES),
  };
}

async function train(backend: string, initial: Float32Array[], steps: number): Promise<{ losses: number[]; weights: Float32Array[] }> {
  await tf.setBackend(backend);
  const model = buildModel();
  model.setWeights(initial.map((values, i) => tf.tensor(values, model.getWeights()[i].shape)));
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const { x, y } = batch(16, 100 + step);
    losses.push(Number(await model.trainOnBatch(x, y)));
    tf.dispose([x, y]);
  }
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  return { losses, weights };
}

describe('native backend: training', function () {
  before(useNativeBackend);

  it('Adam steps on a conv-BN-ReLU net give the cpu backend\'s losses and weights', async () => {
    await tf.setBackend('cpu');
    const reference = buildModel();
    const initial = reference.getWeights().map((w) => w.dataSync().slice() as Float32Array);
    reference.dispose();

    const cpu = await train('cpu', initial, 3);
    let native: { losses: number[]; weights: Float32Array[] } | undefined;
    const convCalls = await countAddonCalls('conv2dBackwardFilter', async () => {
      native = await train('native', initial, 3);
    });
    assert.ok(convCalls >= 6, 'the filter gradients ran natively');
    assert.ok(relativeError(native!.losses, cpu.losses) <= 1e-4, `losses ${native!.losses} vs ${cpu.losses}`);
    cpu.weights.forEach((expected, i) => {
      const err = relativeError(native!.weights[i], expected);
      assert.ok(err <= 1e-4, `weight ${i}: relative error ${err}`);
    });
    assert.ok(native!.losses.every(Number.isFinite));
  });

  it('keeps tensor count and resident memory flat over hundreds of steps', async () => {
    await tf.setBackend('native');
    const model = buildModel();
    const { x, y } = batch(16, 7);
    const step = async () => { await model.trainOnBatch(x, y); };
    for (let i = 0; i < 30; i++) await step();
    const tensorsAfterWarmup = tf.memory().numTensors;
    const rssAfterWarmup = process.memoryUsage().rss;
    for (let i = 0; i < 300; i++) {
      await step();
      if (i % 50 === 0) assert.equal(tf.memory().numTensors, tensorsAfterWarmup, `tensor count changed at step ${i}`);
    }
    assert.equal(tf.memory().numTensors, tensorsAfterWarmup);
    const growthMiB = (process.memoryUsage().rss - rssAfterWarmup) / 2 ** 20;
    assert.ok(growthMiB < 200, `resident memory grew by ${growthMiB.toFixed(1)} MiB over 300 steps`);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('bounds the primitive cache when shapes keep changing', () => {
    const addon = loadNativeAddon();
    const capacity = addon.info().primitiveCacheCapacity;
    tf.tidy(() => {
      for (let size = 2; size < capacity + 12; size++) {
        tf.conv2d(tf.ones([1, size, 3, 1]) as tf.Tensor4D, tf.ones([1, 1, 1, 1]) as tf.Tensor4D, 1, 'valid');
      }
    });
    assert.ok(addon.cacheSizes().conv <= 3 * capacity, `conv cache holds ${addon.cacheSizes().conv}`);
    addon.clearCaches();
    assert.equal(addon.cacheSizes().conv, 0);
  });
});
