/**
 * The training phase on the wasm backend with a small real model built from the graph: it
 * learns, it leaks no tensors across epochs, the kernel penalty acts on the kernels, and a stop
 * request ends it between batches.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { insertBlockAfter } from '../../../bench/lib/arch-edits';
import { emptyNet } from '../../../src/core/arch/seeds';
import type { Architecture } from '../../../src/core/arch/types';
import { CONFIG_DEFAULTS } from '../../../src/core/config/defaults';
import type { TrainingConfig } from '../../../src/core/config/types';
import { Rng } from '../../../src/core/rng';
import { activateBackend } from '../../../src/trainer/backends/activate';
import { evaluationBatches, TrainingBatches } from '../../../src/trainer/data/batches';
import type { ImageSet } from '../../../src/trainer/data/types';
import { buildModel } from '../../../src/trainer/model';
import { EventEmitter } from '../../../src/trainer/run/emitter';
import type { TrainingData } from '../../../src/trainer/train/evaluate';
import { createOptimizer, restoreOptimizerState, saveOptimizerState } from '../../../src/trainer/train/optimizer';
import { trainPhase, trainStep, type PhaseOptions } from '../../../src/trainer/train/phase';
import { penalizedKernels } from '../../../src/trainer/session/model-state';

const SIZE = 12;

/** Class 0: a bright top half; class 1: a bright bottom half; with noise. Learnable in a few steps. */
function halvesDataset(count: number, seed: number): ImageSet {
  const rng = new Rng(seed, 'test-data');
  const images = new Uint8Array(count * SIZE * SIZE);
  const labels = new Uint16Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % 2;
    labels[n] = label;
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const bright = (y < SIZE / 2) === (label === 0);
        images[(n * SIZE + y) * SIZE + x] = Math.min(255, (bright ? 180 : 30) + Math.floor(rng.next() * 60));
      }
    }
  }
  return { images, labels, count, height: SIZE, width: SIZE, channels: 1 };
}

function smallArch(): Architecture {
  const base = emptyNet({ height: SIZE, width: SIZE, channels: 1 }, 2, 'standard');
  const narrowed: Architecture = { ...base, layers: base.layers.map((l) => (l.kind === 'conv' ? { ...l, width: 8, kernel: 3, stride: 1 } : l.kind === 'dense' ? { ...l, units: 16 } : l)) };
  return insertBlockAfter(narrowed, 'stem', 'r001', ['r001.conv1', 'r001.conv2'], 8, { insertedAt: 1 });
}

function trainingData(train: ImageSet, test: ImageSet, batchSize: number): TrainingData {
  const options = { batchSize, numClasses: 2, normalization: { mean: [128], std: [64] } };
  const batches = new TrainingBatches(train, { ...options, augmentation: { shift: 0, flip: false }, shuffleRng: new Rng(1, 'shuffle'), augmentRng: new Rng(1, 'augmentation') });
  return {
    stepsPerEpoch: batches.stepsPerEpoch,
    validationSize: test.count,
    testSize: test.count,
    trainEpoch: () => batches.epoch(),
    evaluationBatches: () => evaluationBatches(test, options),
    batchesLeft: () => batches.batchesLeft,
    getState: () => batches.getState(),
    setState: (state) => batches.setState(state),
  };
}

const training: TrainingConfig = { ...CONFIG_DEFAULTS.training, batchSize: 16, learningRate: 3e-3 };

function emitter(): EventEmitter {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-phase-'));
  return new EventEmitter('test-run', path.join(dir, 'events.jsonl'));
}

function phaseOptions(model: tf.LayersModel, arch: Architecture, overrides: Partial<PhaseOptions> = {}): PhaseOptions {
  return {
    model,
    optimizer: createOptimizer(training),
    data: trainingData(halvesDataset(96, 1), halvesDataset(32, 2), training.batchSize),
    training,
    phase: 'train',
    epochs: 3,
    penalized: penalizedKernels(model, arch, false),
    emitter: emitter(),
    shouldStop: () => false,
    ...overrides,
  };
}

describe('training phase (wasm)', function () {
  this.timeout(120_000);
  before(async () => {
    await activateBackend('wasm');
  });

  it('learns a simple task and leaks no tensors between epochs', async () => {
    const arch = smallArch();
    const model = buildModel(arch, { seed: 3 });
    const tensorsAfterEpoch: number[] = [];
    const reports: number[] = [];
    const result = await trainPhase(
      phaseOptions(model, arch, {
        onEpochEnd: async (report) => {
          tensorsAfterEpoch.push(tf.memory().numTensors);
          reports.push(report.validation!.accuracy);
        },
      }),
    );
    assert.equal(result.stopped, false);
    assert.equal(result.epochsDone, 3);
    assert.equal(tensorsAfterEpoch.length, 3);
    assert.equal(tensorsAfterEpoch[2], tensorsAfterEpoch[0], `tensors after epochs 1..3: ${tensorsAfterEpoch}`);
    assert.ok(result.last!.train.accuracy > 0.9, `train accuracy ${result.last!.train.accuracy}`);
    model.dispose();
  });

  it('emits progress and epoch-end events that pass the protocol schema', async () => {
    const arch = smallArch();
    const model = buildModel(arch, { seed: 3 });
    const events = emitter();
    const seen: string[] = [];
    events.onEvent((e) => seen.push(e.type));
    await trainPhase(phaseOptions(model, arch, { emitter: events, epochs: 1 }));
    assert.ok(seen.includes('epoch-progress'));
    assert.deepEqual(seen.filter((t) => t === 'epoch-end'), ['epoch-end']);
    model.dispose();
  });

  it('applies the L1 penalty to the kernels it is given', async () => {
    const arch = smallArch();
    const meanAbs = async (l1: number) => {
      const model = buildModel(arch, { seed: 3 });
      const opts = phaseOptions(model, arch, { epochs: 1, training: { ...training, l1, l2: 0 } });
      await trainPhase(opts);
      const kernel = opts.penalized.l1.find((v) => v.originalName.startsWith('r001.conv1'))!;
      const value = tf.tidy(() => tf.mean(tf.abs(kernel.read())).dataSync()[0]);
      model.dispose();
      return value;
    };
    const without = await meanAbs(0);
    const strong = await meanAbs(1);
    // Adam moves each weight by about the learning rate per step, so 6 steps of a dominating L1
    // shrink mean |W| by roughly 6 × 3e-3; without the penalty nothing pulls the kernel to 0.
    assert.ok(strong < without - 0.01, `mean |W| with a strong L1 ${strong} vs without ${without}`);
  });

  it('takes a step without extra loss terms and reports the cross-entropy', () => {
    const arch = smallArch();
    const model = buildModel(arch, { seed: 3 });
    const batch = trainingData(halvesDataset(16, 5), halvesDataset(16, 6), 16).trainEpoch()[Symbol.iterator]().next().value!;
    const optimizer = createOptimizer(training);
    trainStep(model, optimizer, batch);
    const afterFirst = tf.memory().numTensors;
    const step = trainStep(model, optimizer, batch);
    assert.ok(Number.isFinite(step.loss) && step.loss > 0 && step.loss < 5, `loss ${step.loss}`);
    assert.ok(step.correct >= 0 && step.correct <= 16);
    assert.equal(tf.memory().numTensors, afterFirst, 'a step leaves no tensors behind');
    batch.x.dispose();
    batch.y.dispose();
    model.dispose();
  });

  it('stops between batches when asked', async () => {
    const arch = smallArch();
    const model = buildModel(arch, { seed: 3 });
    let batches = 0;
    const events = emitter();
    events.onEvent((e) => {
      if (e.type === 'epoch-progress') batches = e.batch;
    });
    const result = await trainPhase(phaseOptions(model, arch, { emitter: events, shouldStop: () => batches >= 1 }));
    assert.equal(result.stopped, true);
    assert.equal(result.epochsDone, 0);
    model.dispose();
  });

  // 96 images in batches of 16: six batches an epoch. A stop after an epoch's last batch (6, 12)
  // once returned before the epoch's end, with the data already at the next epoch, so the
  // resumed phase trained that epoch twice.
  for (const stopAfter of [3, 6, 9, 12]) {
    it(`stopped after batch ${stopAfter} of 12 and resumed, ends with the weights of an uninterrupted phase`, async () => {
      const arch = smallArch();
      const epochs = 2;
      const uninterrupted = buildModel(arch, { seed: 3 });
      await trainPhase(phaseOptions(uninterrupted, arch, { epochs }));

      const first = buildModel(arch, { seed: 3 });
      let trained = 0;
      const stopping = phaseOptions(first, arch, { epochs });
      const epochOf = stopping.data.trainEpoch;
      stopping.data.trainEpoch = function* () {
        for (const batch of epochOf()) {
          trained += 1;
          yield batch;
        }
      };
      stopping.shouldStop = () => trained >= stopAfter;
      const stopped = await trainPhase(stopping);
      assert.equal(stopped.stopped, true);
      assert.equal(stopped.epochsDone, Math.floor(stopAfter / 6), 'a stop after an epoch\'s last batch counts that epoch as done');

      const resumedModel = buildModel(arch, { seed: 5 });
      resumedModel.setWeights(first.getWeights());
      const resuming = phaseOptions(resumedModel, arch, { epochs, startEpoch: stopped.epochsDone });
      await restoreOptimizerState(resuming.optimizer, await saveOptimizerState(stopping.optimizer));
      resuming.data.setState(stopping.data.getState());
      const resumed = await trainPhase(resuming);
      assert.equal(resumed.stopped, false);

      const expected = uninterrupted.getWeights().map((w) => Array.from(w.dataSync()));
      const actual = resumedModel.getWeights().map((w) => Array.from(w.dataSync()));
      assert.deepEqual(actual, expected);
      for (const m of [uninterrupted, first, resumedModel]) m.dispose();
    });
  }
});
