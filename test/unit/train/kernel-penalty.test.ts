/**
 * The L1/L2 kernel penalty and its gradient inside one training step, against the closed forms
 * d(l2·Σw²)/dw = 2·l2·w and d(l1·Σ|w|)/dw = l1·sign(w), on the `cpu` backend with plain SGD.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../../src/trainer/train/evaluate';
import { kernelPenalty, trainStep } from '../../../src/trainer/train/phase';

const LR = 0.1;

/** A tiny conv → dense classifier with fixed weights; only the conv kernel is penalized. */
function tinyModel(): { model: tf.LayersModel; convKernel: tf.LayerVariable; denseKernel: tf.LayerVariable } {
  const input = tf.input({ shape: [3, 3, 1] });
  const conv = tf.layers.conv2d({ filters: 2, kernelSize: 2, useBias: false, kernelInitializer: tf.initializers.randomNormal({ seed: 7 }) });
  const flat = tf.layers.flatten();
  const dense = tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.randomNormal({ seed: 8 }) });
  const model = tf.model({ inputs: input, outputs: dense.apply(flat.apply(conv.apply(input))) as tf.SymbolicTensor });
  return { model, convKernel: conv.trainableWeights[0], denseKernel: dense.trainableWeights[0] };
}

function batch(): Batch {
  return { x: tf.tensor4d([0.1, -0.4, 0.9, 0.3, 0.2, -0.7, 0.5, 0.8, -0.1, 0.6, 0.1, -0.2, 0.4, -0.9, 0.3, 0.7, 0.2, 0.1], [2, 3, 3, 1]), y: tf.tensor2d([1, 0, 0, 1], [2, 2]), count: 2 };
}

/** Kernel values after one SGD step, with and without the given penalty. */
function stepDifference(l1: number, l2: number): { before: Float32Array; withPenalty: Float32Array; without: Float32Array; denseWith: Float32Array; denseWithout: Float32Array } {
  const run = (penalize: boolean) => {
    const { model, convKernel, denseKernel } = tinyModel();
    const before = convKernel.read().dataSync() as Float32Array;
    const b = batch();
    const penalized = { l1: [convKernel], l2: [convKernel] };
    trainStep(model, tf.train.sgd(LR), b, penalize ? () => kernelPenalty(penalized, l1, l2) : undefined);
    const result = { before, kernel: convKernel.read().dataSync() as Float32Array, dense: denseKernel.read().dataSync() as Float32Array };
    b.x.dispose();
    b.y.dispose();
    model.dispose();
    return result;
  };
  const a = run(true);
  const b = run(false);
  return { before: a.before, withPenalty: a.kernel, without: b.kernel, denseWith: a.dense, denseWithout: b.dense };
}

describe('kernel penalty in the training step (cpu)', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('is l1·Σ|w| + l2·Σw² over the listed kernels', () => {
    const { model, convKernel, denseKernel } = tinyModel();
    const w = Array.from(convKernel.read().dataSync());
    const d = Array.from(denseKernel.read().dataSync());
    const sumAbs = w.reduce((s, v) => s + Math.abs(v), 0);
    const sumSq = w.reduce((s, v) => s + v * v, 0);
    const value = (l1: number, l2: number, lists = { l1: [convKernel], l2: [convKernel] }): number => {
      const p = kernelPenalty(lists, l1, l2);
      const out = p.dataSync()[0];
      p.dispose();
      return out;
    };
    assert.ok(Math.abs(value(0.01, 0) - 0.01 * sumAbs) < 1e-6);
    assert.ok(Math.abs(value(0, 0.03) - 0.03 * sumSq) < 1e-6);
    assert.ok(Math.abs(value(0.01, 0.03) - (0.01 * sumAbs + 0.03 * sumSq)) < 1e-6);
    // Each list feeds its own term: the dense kernel only in the L2 list counts only squared.
    const dSq = d.reduce((s, v) => s + v * v, 0);
    assert.ok(Math.abs(value(0.01, 0.03, { l1: [convKernel], l2: [denseKernel] }) - (0.01 * sumAbs + 0.03 * dSq)) < 1e-6);
    assert.equal(value(0, 0), 0);
    model.dispose();
  });

  it('an L2 step moves each penalized weight by −lr·2·l2·w more than the plain step, and no other weight', () => {
    const l2 = 0.05;
    const { before, withPenalty, without, denseWith, denseWithout } = stepDifference(0, l2);
    for (let i = 0; i < before.length; i++) {
      const expected = -LR * 2 * l2 * before[i];
      assert.ok(Math.abs(withPenalty[i] - without[i] - expected) < 1e-6, `weight ${i}: ${withPenalty[i] - without[i]} vs ${expected}`);
      assert.notEqual(expected, 0);
    }
    assert.deepEqual(Array.from(denseWith), Array.from(denseWithout));
  });

  it('an L1 step moves each penalized weight by −lr·l1·sign(w)', () => {
    const l1 = 0.02;
    const { before, withPenalty, without } = stepDifference(l1, 0);
    for (let i = 0; i < before.length; i++) {
      const expected = -LR * l1 * Math.sign(before[i]);
      assert.ok(Math.abs(withPenalty[i] - without[i] - expected) < 1e-6, `weight ${i}: ${withPenalty[i] - without[i]} vs ${expected}`);
    }
  });
});
