/** The closed-form batch-norm gradient against TF.js's own differentiation of moments + batchNorm. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FusedBatchNormalization, normalizeInTraining, setBatchStatisticsReducer, type BatchStatisticsReducer } from '../../../src/trainer/model/fused-batch-norm';

function maxRelativeError(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < x.length; i++) {
    diff = Math.max(diff, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return diff / scale;
}

describe('fused batch norm (cpu)', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const shape of [[4, 5, 5, 3], [2, 7, 3, 8], [16, 1]] as const) {
    it(`matches autodiff of moments + batchNorm for x, γ and β on ${shape.join('×')}`, () => {
      const x = tf.randomNormal([...shape], 1.5, 2, 'float32', 1);
      const c = shape[shape.length - 1];
      const gamma = tf.randomUniform([c], 0.5, 1.5, 'float32', 2) as tf.Tensor1D;
      const beta = tf.randomNormal([c], 0, 1, 'float32', 3) as tf.Tensor1D;
      const weights = tf.randomNormal([...shape], 0, 1, 'float32', 4);
      const axes = shape.slice(0, -1).map((_, i) => i);
      const reference = (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(xs, axes);
        return tf.sum(tf.mul(tf.batchNorm(xs, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-3), weights)) as tf.Scalar;
      };
      const fused = (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { output, mean, variance } = normalizeInTraining(xs, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3);
        mean.dispose();
        variance.dispose();
        return tf.sum(tf.mul(output, weights)) as tf.Scalar;
      };
      const expected = tf.grads(reference)([x, gamma, beta]);
      const actual = tf.grads(fused)([x, gamma, beta]);
      assert.ok(maxRelativeError(fused(x, gamma, beta), reference(x, gamma, beta)) < 1e-5, 'forward');
      ['x', 'γ', 'β'].forEach((name, i) => {
        const err = maxRelativeError(actual[i], expected[i]);
        assert.ok(err < 1e-4, `d${name}: relative error ${err}`);
      });
    });
  }

  it('with a batch-statistics reducer, a replica computes its part of the whole batch', () => {
    // Two replicas: this one holds x, the other xB; the loss is Σ w·BN(x) + Σ wB·BN(xB) over the whole batch.
    const shape = [3, 2, 2, 4];
    const x = tf.randomNormal(shape, 0.5, 2, 'float32', 11);
    const xB = tf.randomNormal(shape, -1, 1, 'float32', 15);
    const gamma = tf.randomUniform([4], 0.5, 1.5, 'float32', 12) as tf.Tensor1D;
    const beta = tf.randomNormal([4], 0, 1, 'float32', 13) as tf.Tensor1D;
    const weights = tf.randomNormal(shape, 0, 1, 'float32', 14);
    const weightsB = tf.randomNormal(shape, 0, 1, 'float32', 16);
    const whole = tf.moments(tf.concat([x, xB]), [0, 1, 2]);
    const invStd = tf.rsqrt(tf.add(whole.variance, 1e-3));
    // The other replica's Σdy and Σdy·x̂ (its dy is wB), normalised with the whole batch's statistics.
    const otherSums = [tf.sum(weightsB, [0, 1, 2]), tf.sum(tf.mul(weightsB, tf.mul(tf.sub(xB, whole.mean), invStd)), [0, 1, 2])] as tf.Tensor1D[];
    const counts: number[] = [];
    const reducer: BatchStatisticsReducer = {
      moments: (count) => {
        counts.push(count);
        return { count: 2 * count, mean: whole.mean.clone() as tf.Tensor1D, variance: whole.variance.clone() as tf.Tensor1D };
      },
      sums: (values) => values.map((v, i) => tf.add(v, otherSums[i]) as tf.Tensor1D),
    };
    const reference = (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const both = tf.concat([xs, xB]);
      const { mean, variance } = tf.moments(both, [0, 1, 2]);
      return tf.sum(tf.mul(tf.batchNorm(both, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-3), tf.concat([weights, weightsB]))) as tf.Scalar;
    };
    let stats: tf.Tensor[] = [];
    const replica = (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { output, mean, variance } = normalizeInTraining(xs, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3);
      stats = [mean, variance];
      return tf.sum(tf.mul(output, weights)) as tf.Scalar;
    };
    const expected = tf.grads(reference)([x, gamma, beta]);
    setBatchStatisticsReducer(reducer);
    let actual: tf.Tensor[];
    try {
      actual = tf.grads(replica)([x, gamma, beta]);
    } finally {
      setBatchStatisticsReducer(null);
    }
    assert.deepEqual(counts, [12]);
    assert.ok(maxRelativeError(stats[0], whole.mean) < 1e-6 && maxRelativeError(stats[1], whole.variance) < 1e-6, 'the whole batch\'s statistics are returned');
    assert.ok(maxRelativeError(actual[0], expected[0]) < 1e-4, `dx: ${maxRelativeError(actual[0], expected[0])}`);
    // dγ and dβ stay this replica's share; with the other's they make the whole batch's.
    assert.ok(maxRelativeError(tf.add(actual[1], otherSums[1]), expected[1]) < 1e-4, 'dγ');
    assert.ok(maxRelativeError(tf.add(actual[2], otherSums[0]), expected[2]) < 1e-4, 'dβ');
    // The replica alone normalises with its own statistics: a different dx.
    const alone = tf.grads(replica)([x, gamma, beta]);
    assert.ok(maxRelativeError(alone[0], expected[0]) > 1e-2);
  });

  it('trains like a built-in BatchNormalization: same outputs, moving statistics and weight names', () => {
    const x = tf.randomNormal([3, 4, 4, 3], 2, 3, 'float32', 5);
    const input = tf.input({ shape: [4, 4, 3] });
    const builtIn = tf.layers.batchNormalization({ name: 'plain', momentum: 0.9, epsilon: 1e-3 });
    const fused = new FusedBatchNormalization({ name: 'fused', momentum: 0.9, epsilon: 1e-3, gammaInitializer: 'ones' });
    for (const layer of [builtIn, fused]) layer.apply(input);
    assert.deepEqual(fused.weights.map((w) => w.originalName), builtIn.weights.map((w) => w.originalName.replace('plain', 'fused')));
    assert.deepEqual(fused.trainableWeights.map((w) => w.originalName), ['fused/gamma', 'fused/beta']);
    const plainOut = builtIn.apply(x, { training: true }) as tf.Tensor;
    const fusedOut = fused.apply(x, { training: true }) as tf.Tensor;
    assert.ok(maxRelativeError(fusedOut, plainOut) < 1e-5, 'training output');
    for (const i of [2, 3]) assert.ok(maxRelativeError(fused.getWeights()[i], builtIn.getWeights()[i]) < 1e-5, `moving statistic ${i}`);
    assert.notEqual(fused.getWeights()[2].dataSync()[0], 0, 'the moving mean moved');
    const inference = [builtIn, fused].map((layer) => layer.apply(x, { training: false }) as tf.Tensor);
    assert.ok(maxRelativeError(inference[1], inference[0]) < 1e-6, 'inference output');
  });

  it('normalises through the closed-form pass in training, and only there', () => {
    const seen: number[] = [];
    setBatchStatisticsReducer({
      moments: (count, mean, variance) => {
        seen.push(count);
        return { count, mean: mean.clone(), variance: variance.clone() };
      },
      sums: (values) => values.map((v) => v.clone()),
    });
    try {
      const layer = new FusedBatchNormalization({ name: 'bn', momentum: 0.9, epsilon: 1e-3, gammaInitializer: 'ones' });
      const x = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 6);
      layer.apply(tf.input({ shape: [3, 3, 4] }));
      tf.dispose(layer.apply(x, { training: false }) as tf.Tensor);
      assert.deepEqual(seen, []);
      tf.dispose(layer.apply(x, { training: true }) as tf.Tensor);
      assert.deepEqual(seen, [18]);
    } finally {
      setBatchStatisticsReducer(null);
    }
  });

  it('is saved as the built-in BatchNormalization with its config', () => {
    const args = { name: 'bn', momentum: 0.8, epsilon: 1e-3, gammaInitializer: 'zeros' } as const;
    const fused = new FusedBatchNormalization(args);
    assert.equal(fused.getClassName(), 'BatchNormalization');
    assert.deepEqual(fused.getConfig(), tf.layers.batchNormalization({ ...args, axis: -1 }).getConfig());
  });
});
