/**
 * Data-parallel training on wasm worker threads: a step on 2 workers (each with half the batch,
 * synchronised BN, summed gradients) gives the weights one in-process step on the whole batch
 * gives, with the full loss (cross-entropy, L1/L2, MorphNet) and with Adam and SGD+momentum.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../../../src/trainer/backends/activate';
import { ParallelStepper } from '../../../src/trainer/parallel/parallel-stepper';
import { createOptimizer, saveOptimizerState } from '../../../src/trainer/train/optimizer';
import type { TrainingConfig } from '../../../src/core/config/types';
import { bnArch, hostBatch, maxRelativeError, model, referenceStep, search, training, weightsNamed } from './helpers';

const TOLERANCE = 1e-4;

describe('data-parallel training on worker threads (wasm)', function () {
  this.timeout(120_000);
  before(async () => {
    await activateBackend('wasm');
  });

  for (const optimizer of ['adam', 'sgd'] as const) {
    it(`2 workers give the weights of 1 thread on the whole batch (${optimizer}, BN, L1/L2 + MorphNet)`, async () => {
      const arch = bnArch();
      const config: TrainingConfig = training({ optimizer, momentum: 0.9, learningRate: optimizer === 'adam' ? 1e-3 : 5e-2 });
      const reference = model(arch, config);
      const parallel = model(arch, config);
      const referenceOptimizer = createOptimizer(config);
      const stepper = await ParallelStepper.start({ workers: 2, model: parallel, arch, training: config, l1OnlyOnInsertedLayers: false, morphnet: search, optimizerState: null });
      try {
        // An odd batch (8 + 7 images), then a batch of one image (one worker gets none).
        const batches = [hostBatch(15, 1), hostBatch(15, 2), hostBatch(15, 3), hostBatch(1, 4)];
        for (const [i, batch] of batches.entries()) {
          const expected = referenceStep(reference, referenceOptimizer, arch, config, batch, true);
          const step = await stepper.step(batch, config.learningRate);
          assert.equal(step.count, batch.count);
          assert.ok(Math.abs(step.loss - expected) <= TOLERANCE * Math.abs(expected), `step ${i + 1}: loss ${step.loss} vs ${expected}`);
        }
        await stepper.syncModel();
        const { error, name } = maxRelativeError(parallel, reference);
        assert.ok(error <= TOLERANCE, `largest relative weight difference ${error} (${name})`);
        // The steps did change the weights, so the comparison means something.
        const start = model(arch, config);
        assert.ok(maxRelativeError(start, reference).error > 100 * TOLERANCE, 'the steps left the weights unchanged');
        start.dispose();
        // The optimizer state the workers hand out for checkpoints is the in-process one.
        const slots = await stepper.optimizerState();
        const expectedSlots = await saveOptimizerState(referenceOptimizer);
        assert.deepEqual(slots.map((s) => s.name.replace(/_\d+(?=\/)/, '')), expectedSlots.map((s) => s.name.replace(/_\d+(?=\/)/, '')));
        slots.forEach((slot, i) => {
          const want = expectedSlots[i].data;
          let scale = 0;
          let diff = 0;
          for (let k = 0; k < want.length; k++) {
            scale = Math.max(scale, Math.abs(want[k]));
            diff = Math.max(diff, Math.abs(slot.data[k] - want[k]));
          }
          assert.ok(diff <= TOLERANCE * Math.max(scale, 1e-12), `optimizer slot ${slot.name}: difference ${diff} at scale ${scale}`);
        });
      } finally {
        await stepper.close();
        referenceOptimizer.dispose();
        reference.dispose();
        parallel.dispose();
      }
    });
  }

  it('synchronised BN normalises with the whole batch statistics, not each worker\'s half', async () => {
    const arch = bnArch();
    // Momentum 0: after one step the moving statistics are the last batch's statistics; rate 0 keeps the weights.
    const config = training({ optimizer: 'sgd', momentum: 0, learningRate: 0, batchNormMomentum: 0, l1: 0, l2: 0 });
    const batch = hostBatch(16, 7);
    const whole = model(arch, config);
    const wholeOptimizer = createOptimizer(config);
    referenceStep(whole, wholeOptimizer, arch, config, batch, false);
    const firstHalf = model(arch, config);
    const halfOptimizer = createOptimizer(config);
    referenceStep(firstHalf, halfOptimizer, arch, config, { ...batch, x: batch.x.slice(0, batch.x.length / 2), y: batch.y.slice(0, batch.y.length / 2), count: 8, shape: [8, ...batch.shape.slice(1)] as [number, number, number, number] }, false);
    const parallel = model(arch, config);
    const stepper = await ParallelStepper.start({ workers: 2, model: parallel, arch, training: config, l1OnlyOnInsertedLayers: false, morphnet: null, optimizerState: null });
    try {
      await stepper.step(batch, 0);
      await stepper.syncModel();
      for (const suffix of ['moving_mean', 'moving_variance']) {
        const got = weightsNamed(parallel, suffix);
        const want = weightsNamed(whole, suffix);
        const half = weightsNamed(firstHalf, suffix);
        assert.equal(got.length, 3, `BN layers with ${suffix}`);
        got.forEach((values, layer) => {
          let diff = 0;
          let halfDiff = 0;
          let scale = 0;
          for (let c = 0; c < values.length; c++) {
            diff = Math.max(diff, Math.abs(values[c] - want[layer][c]));
            halfDiff = Math.max(halfDiff, Math.abs(half[layer][c] - want[layer][c]));
            scale = Math.max(scale, Math.abs(want[layer][c]));
          }
          assert.ok(diff <= 1e-5 * scale, `BN ${layer} ${suffix}: ${Array.from(values)} vs whole batch ${Array.from(want[layer])}`);
          assert.ok(halfDiff > 1e-3 * scale, `BN ${layer} ${suffix}: half a batch has the same statistics, so the check proves nothing`);
        });
      }
    } finally {
      await stepper.close();
      for (const m of [whole, firstHalf, parallel]) m.dispose();
      wholeOptimizer.dispose();
      halfOptimizer.dispose();
    }
  });

  it('leaks no tensors on the training thread while stepping', async () => {
    const arch = bnArch();
    const config = training();
    const parallel = model(arch, config);
    const stepper = await ParallelStepper.start({ workers: 2, model: parallel, arch, training: config, l1OnlyOnInsertedLayers: false, morphnet: null, optimizerState: null });
    try {
      await stepper.step(hostBatch(15, 1), config.learningRate);
      await stepper.syncModel();
      const before = tf.memory().numTensors;
      await stepper.step(hostBatch(15, 2), config.learningRate);
      await stepper.syncModel();
      assert.equal(tf.memory().numTensors, before);
    } finally {
      await stepper.close();
      parallel.dispose();
    }
  });
});
