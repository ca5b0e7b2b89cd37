/**
 * The training phase with its batches trained on 2 workers: the same weights and figures as the
 * phase on this thread, and a stop leaves the data right after the last batch trained (the
 * workers' stepper prepares the next batch early, and must give it back).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../src/core/rng';
import type { TrainingConfig } from '../../../src/core/config/types';
import { activateBackend } from '../../../src/trainer/backends/activate';
import { evaluationBatches, TrainingBatches } from '../../../src/trainer/data/batches';
import type { ImageSet } from '../../../src/trainer/data/types';
import { ParallelStepper } from '../../../src/trainer/parallel/parallel-stepper';
import { EventEmitter } from '../../../src/trainer/run/emitter';
import { penalizedKernels } from '../../../src/trainer/session/model-state';
import type { TrainingData } from '../../../src/trainer/train/evaluate';
import { createOptimizer } from '../../../src/trainer/train/optimizer';
import { trainPhase, type PhaseResult } from '../../../src/trainer/train/phase';
import { bnArch, CLASSES, maxRelativeError, model, SIZE, training } from './helpers';

function imageSet(count: number, seed: number): ImageSet {
  const rng = new Rng(seed, 'parallel-phase');
  const images = new Uint8Array(count * SIZE * SIZE * 2);
  const labels = new Uint16Array(count);
  for (let n = 0; n < count; n++) {
    labels[n] = n % CLASSES;
    for (let i = 0; i < SIZE * SIZE * 2; i++) images[n * SIZE * SIZE * 2 + i] = Math.floor(rng.next() * 200) + (i % 2 === labels[n] % 2 ? 55 : 0);
  }
  return { images, labels, count, height: SIZE, width: SIZE, channels: 2 };
}

function data(config: TrainingConfig, withHost: boolean): TrainingData {
  const options = { batchSize: config.batchSize, numClasses: CLASSES, normalization: { mean: [128, 128], std: [64, 64] } };
  const train = imageSet(40, 1);
  const test = imageSet(12, 2);
  const batches = new TrainingBatches(train, { ...options, augmentation: { shift: 2, flip: true }, shuffleRng: new Rng(5, 'shuffle'), augmentRng: new Rng(5, 'augmentation') });
  return {
    stepsPerEpoch: batches.stepsPerEpoch,
    validationSize: test.count,
    testSize: test.count,
    trainEpoch: () => batches.epoch(),
    ...(withHost ? { trainHostEpoch: () => batches.hostEpoch() } : {}),
    evaluationBatches: () => evaluationBatches(test, options),
    batchesLeft: () => batches.batchesLeft,
    getState: () => batches.getState(),
    setState: (state) => batches.setState(state),
  };
}

function emitter(): EventEmitter {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-parallel-phase-'));
  return new EventEmitter('test-run', path.join(dir, 'events.jsonl'));
}

async function phase(m: tf.LayersModel, trainingData: TrainingData, config: TrainingConfig, epochs: number, stepper?: ParallelStepper, stopAfter?: number): Promise<PhaseResult> {
  const arch = bnArch();
  const optimizer = createOptimizer(config);
  // The phase asks after every batch.
  let asked = 0;
  try {
    return await trainPhase({
      model: m, optimizer, data: trainingData, training: config, phase: 'train', epochs,
      penalized: penalizedKernels(m, arch, false), emitter: emitter(),
      shouldStop: () => stopAfter !== undefined && ++asked >= stopAfter,
      stepper,
    });
  } finally {
    optimizer.dispose();
  }
}

describe('training phase on 2 workers (wasm)', function () {
  this.timeout(120_000);
  before(async () => {
    await activateBackend('wasm');
  });

  it('trains 2 epochs to the weights and figures of the phase on this thread', async () => {
    // 40 images in batches of 16: 16 + 16 + 8, and an augmented, reshuffled second epoch.
    const config = training({ batchSize: 16, optimizer: 'adam', learningRate: 3e-3 });
    const arch = bnArch();
    const local = model(arch, config);
    const expected = await phase(local, data(config, true), config, 2);
    for (const withHost of [true, false]) {
      const parallel = model(arch, config);
      const stepper = await ParallelStepper.start({ workers: 2, model: parallel, arch, training: config, l1OnlyOnInsertedLayers: false, morphnet: null, optimizerState: null });
      try {
        const result = await phase(parallel, data(config, withHost), config, 2, stepper);
        assert.equal(result.epochsDone, 2);
        const { error, name } = maxRelativeError(parallel, local);
        assert.ok(error <= 1e-4, `host batches ${withHost}: largest relative weight difference ${error} (${name})`);
        assert.ok(Math.abs(result.last!.train.loss - expected.last!.train.loss) <= 1e-4 * expected.last!.train.loss);
        assert.equal(result.last!.train.accuracy, expected.last!.train.accuracy);
        assert.equal(result.last!.validation!.accuracy, expected.last!.validation!.accuracy);
      } finally {
        await stepper.close();
        parallel.dispose();
      }
    }
    local.dispose();
  });

  it('stops after the batch under way, with the data and weights right after it', async () => {
    const config = training({ batchSize: 8, optimizer: 'sgd', momentum: 0.9, learningRate: 0.05 });
    const arch = bnArch();
    const localData = data(config, true);
    const local = model(arch, config);
    const expected = await phase(local, localData, config, 1, undefined, 2);
    const parallelData = data(config, true);
    const parallel = model(arch, config);
    const stepper = await ParallelStepper.start({ workers: 2, model: parallel, arch, training: config, l1OnlyOnInsertedLayers: false, morphnet: null, optimizerState: null });
    try {
      const result = await phase(parallel, parallelData, config, 1, stepper, 2);
      assert.equal(result.stopped, true);
      assert.equal(expected.stopped, true);
      assert.deepEqual(parallelData.getState(), localData.getState());
      assert.equal(parallelData.getState().cursor, 16);
      const { error, name } = maxRelativeError(parallel, local);
      assert.ok(error <= 1e-4, `largest relative weight difference ${error} (${name})`);
    } finally {
      await stepper.close();
      parallel.dispose();
      local.dispose();
    }
  });
});
