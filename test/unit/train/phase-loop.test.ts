/**
 * The bookkeeping of a training phase, with a scripted stepper in place of a model's steps and a
 * scripted clock: the per-epoch and running means, the learning rate each epoch gets, the
 * progress events' throttle, speed and remaining time, resuming inside an epoch, stopping, a
 * diverged loss, and the validation pass (against the loss and accuracy computed by hand).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CONFIG_DEFAULTS } from '../../../src/core/config/defaults';
import type { TrainingConfig } from '../../../src/core/config/types';
import { learningRateAt } from '../../../src/core/train/schedule';
import type { TrainerEvent } from '../../../src/protocol/events';
import { EventEmitter } from '../../../src/trainer/run/emitter';
import { TimeLedger } from '../../../src/trainer/run/time-ledger';
import { evaluate, lossAndCorrect, type Batch, type TrainingData } from '../../../src/trainer/train/evaluate';
import { trainPhase, type EpochReport, type PhaseOptions, type StepFigures } from '../../../src/trainer/train/phase';

type Progress = Extract<TrainerEvent, { type: 'epoch-progress' }>;
type EpochEnd = Extract<TrainerEvent, { type: 'epoch-end' }>;

const training: TrainingConfig = { ...CONFIG_DEFAULTS.training, batchSize: 4, learningRate: 0.1, schedule: 'cosine' };

/** performance.now() under the test's control; `tick` ms pass with every step. */
function scriptedClock(start: number): { advance(ms: number): void; restore(): void } {
  let now = start;
  const original = performance.now;
  performance.now = () => now;
  return {
    advance: (ms) => {
      now += ms;
    },
    restore: () => {
      performance.now = original;
    },
  };
}

/** Training data whose batches the stepper "trains": only the batch counter moves. */
function scriptedData(stepsPerEpoch: number, left = stepsPerEpoch, validation: Batch[] = []): TrainingData & { splits: string[]; consume(): void } {
  let batchesLeft = left;
  const splits: string[] = [];
  return {
    stepsPerEpoch,
    validationSize: validation.reduce((n, b) => n + b.count, 0),
    testSize: 0,
    splits,
    trainEpoch: () => {
      throw new Error('the scripted stepper trains the batches');
    },
    evaluationBatches: (split) => {
      splits.push(split);
      return validation.map((b) => ({ x: b.x.clone(), y: b.y.clone(), count: b.count }));
    },
    // Between epochs the whole next epoch is left, as in TrainingBatches.
    batchesLeft: () => batchesLeft,
    consume: () => {
      batchesLeft -= 1;
      if (batchesLeft === 0) batchesLeft = stepsPerEpoch;
    },
    getState: () => {
      throw new Error('not used');
    },
    setState: () => {
      throw new Error('not used');
    },
  };
}

/** Yields `figures(epoch, batch)` for the batches left in each epoch, advancing the clock by `tick` ms per step. */
function scriptedStepper(data: ReturnType<typeof scriptedData>, clock: ReturnType<typeof scriptedClock>, tick: number, figures: (call: number, batch: number) => StepFigures) {
  const rates: number[] = [];
  let call = 0;
  return {
    rates,
    epoch: async function* (given: TrainingData, rate: number): AsyncGenerator<StepFigures> {
      assert.equal(given, data);
      rates.push(rate);
      const thisCall = call++;
      const count = data.batchesLeft();
      for (let batch = 0; batch < count; batch++) {
        clock.advance(tick);
        data.consume();
        yield figures(thisCall, batch);
      }
    },
  };
}

function emitter(): { emitter: EventEmitter; events: TrainerEvent[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-phase-loop-'));
  const events: TrainerEvent[] = [];
  const e = new EventEmitter('test-run', path.join(dir, 'events.jsonl'));
  e.onEvent((event) => events.push(event));
  return { emitter: e, events };
}

function options(data: TrainingData, stepper: PhaseOptions['stepper'], e: EventEmitter, overrides: Partial<PhaseOptions> = {}): PhaseOptions {
  return {
    // Only the validation pass reads the model, and only the rate setter the optimizer.
    model: null as unknown as tf.LayersModel,
    optimizer: tf.train.momentum(training.learningRate, 0.9),
    data,
    training,
    phase: 'train',
    epochs: 3,
    penalized: { l1: [], l2: [] },
    emitter: e,
    shouldStop: () => false,
    stepper,
    ...overrides,
  };
}

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

describe('training phase bookkeeping (scripted steps and clock)', () => {
  let clock: ReturnType<typeof scriptedClock>;
  before(async () => {
    await tf.setBackend('cpu');
  });
  beforeEach(() => {
    clock = scriptedClock(10_000);
  });
  afterEach(() => {
    clock.restore();
  });

  it('reports each epoch\'s count-weighted means, its schedule rate, speed and time', async () => {
    const data = scriptedData(3);
    // Batches of 4, 4 and 2 images; losses and correct counts differ per epoch and batch.
    const counts = [4, 4, 2];
    const stepper = scriptedStepper(data, clock, 100, (epoch, batch) => ({ loss: 1 + epoch + 0.5 * batch, correct: batch + epoch, count: counts[batch] }));
    const { emitter: e, events } = emitter();
    const reports: EpochReport[] = [];
    const optimizer = tf.train.momentum(training.learningRate, 0.9);
    const result = await trainPhase(options(data, stepper, e, { optimizer, epochFigures: () => ({ aliveFlops: 1234, regularizer: 0.5 }), onEpochEnd: async (r) => void reports.push(r) }));

    const ends = events.filter((x): x is EpochEnd => x.type === 'epoch-end');
    assert.deepEqual(ends.map((x) => [x.epoch, x.epochs, x.phase]), [[1, 3, 'train'], [2, 3, 'train'], [3, 3, 'train']]);
    const expectedRates = [0, 1, 2].map((epoch) => learningRateAt(training, epoch, 3));
    assert.deepEqual(stepper.rates, expectedRates);
    assert.deepEqual(ends.map((x) => x.learningRate), expectedRates);
    // The optimizer got the last epoch's rate too.
    assert.equal((optimizer as unknown as { learningRate: number }).learningRate, expectedRates[2]);
    ends.forEach((end, epoch) => {
      const loss = counts.reduce((s, n, batch) => s + (1 + epoch + 0.5 * batch) * n, 0) / 10;
      const accuracy = counts.reduce((s, _, batch) => s + batch + epoch, 0) / 10;
      close(end.train.loss, loss, `epoch ${epoch + 1} loss`);
      close(end.train.accuracy, accuracy, `epoch ${epoch + 1} accuracy`);
      assert.equal(end.validation, undefined);
      close(end.seconds, 0.3, 'seconds');
      close(end.imagesPerSecond, 10 / 0.3, 'images per second');
      assert.equal(end.aliveFlops, 1234);
      assert.equal(end.regularizer, 0.5);
    });
    assert.deepEqual(reports, ends.map((x) => ({ epoch: x.epoch, train: x.train, validation: undefined })));
    assert.deepEqual(result, { stopped: false, epochsDone: 3, last: reports[2] });
  });

  it('emits progress on the first batch, then at most every 250 ms, and always on the last', async () => {
    const data = scriptedData(8);
    const stepper = scriptedStepper(data, clock, 125, (_, batch) => ({ loss: batch + 1, correct: 1, count: 4 }));
    const { emitter: e, events } = emitter();
    await trainPhase(options(data, stepper, e, { epochs: 1 }));
    const progress = events.filter((x): x is Progress => x.type === 'epoch-progress');
    // 125 ms a step: exactly 250 ms after an event is not yet "more than" 250 ms.
    assert.deepEqual(progress.map((p) => p.batch), [1, 4, 7, 8]);
    for (const p of progress) {
      assert.equal(p.batches, 8);
      assert.equal(p.epoch, 1);
      assert.equal(p.epochs, 1);
      // Running means over the batches so far; batch k has loss k and 1 of 4 right.
      close(p.loss, (p.batch + 1) / 2, `loss at batch ${p.batch}`);
      close(p.accuracy, 0.25, `accuracy at batch ${p.batch}`);
      close(p.imagesPerSecond, (4 * p.batch) / (0.125 * p.batch), `speed at batch ${p.batch}`);
      // The batches left in the epoch, at this speed; none after the last.
      close(p.etaSeconds, ((8 - p.batch) * training.batchSize) / p.imagesPerSecond, `eta at batch ${p.batch}`);
    }
    assert.equal(progress.at(-1)!.etaSeconds, 0);
  });

  it('with a quick step reports only the first and the last batch', async () => {
    const data = scriptedData(20);
    const stepper = scriptedStepper(data, clock, 1, () => ({ loss: 1, correct: 0, count: 4 }));
    const { emitter: e, events } = emitter();
    await trainPhase(options(data, stepper, e, { epochs: 1 }));
    assert.deepEqual(events.filter((x): x is Progress => x.type === 'epoch-progress').map((p) => p.batch), [1, 20]);
  });

  it('resumed inside an epoch, numbers the remaining batches on from where it stood', async () => {
    const data = scriptedData(5, 2);
    const stepper = scriptedStepper(data, clock, 1000, () => ({ loss: 2, correct: 3, count: 4 }));
    const { emitter: e, events } = emitter();
    const result = await trainPhase(options(data, stepper, e, { startEpoch: 1, epochs: 3 }));
    const progress = events.filter((x): x is Progress => x.type === 'epoch-progress');
    assert.deepEqual(progress.map((p) => [p.epoch, p.batch]), [[2, 4], [2, 5], [3, 1], [3, 2], [3, 3], [3, 4], [3, 5]]);
    assert.deepEqual(stepper.rates, [learningRateAt(training, 1, 3), learningRateAt(training, 2, 3)]);
    assert.deepEqual(events.filter((x): x is EpochEnd => x.type === 'epoch-end').map((x) => x.epoch), [2, 3]);
    assert.equal(result.epochsDone, 3);
    assert.equal(result.stopped, false);
  });

  it('a stop request inside an epoch returns the epochs completed before it', async () => {
    const data = scriptedData(4);
    let steps = 0;
    const stepper = scriptedStepper(data, clock, 10, () => {
      steps += 1;
      return { loss: 1, correct: 1, count: 4 };
    });
    const { emitter: e, events } = emitter();
    const reports: EpochReport[] = [];
    const result = await trainPhase(options(data, stepper, e, { shouldStop: () => steps >= 6, onEpochEnd: async (r) => void reports.push(r) }));
    assert.equal(result.stopped, true);
    assert.equal(result.epochsDone, 1);
    assert.deepEqual(result.last, reports[0]);
    assert.equal(reports.length, 1);
    assert.equal(events.filter((x) => x.type === 'epoch-end').length, 1);
  });

  it('a stop request at the end of an epoch returns that epoch as done, after its checkpoint hook', async () => {
    const data = scriptedData(2);
    const stepper = scriptedStepper(data, clock, 10, () => ({ loss: 1, correct: 1, count: 4 }));
    const { emitter: e } = emitter();
    const reports: EpochReport[] = [];
    const result = await trainPhase(options(data, stepper, e, { epochs: 4, shouldStop: () => reports.length >= 2, onEpochEnd: async (r) => void reports.push(r) }));
    assert.deepEqual(result, { stopped: true, epochsDone: 2, last: reports[1] });
    assert.equal(reports[1].epoch, 2);
    assert.equal(stepper.rates.length, 2, 'no batch of a third epoch was trained');
    // At the end of the last epoch the request still counts: the phase says it stopped.
    const oneEpoch = scriptedData(2);
    const hooks: EpochReport[] = [];
    const last = await trainPhase(options(oneEpoch, scriptedStepper(oneEpoch, clock, 10, () => ({ loss: 1, correct: 1, count: 4 })), e, { epochs: 1, shouldStop: () => hooks.length >= 1, onEpochEnd: async (r) => void hooks.push(r) }));
    assert.deepEqual(last, { stopped: true, epochsDone: 1, last: hooks[0] });
  });

  it('a stop request before the first epoch ends returns no report', async () => {
    const data = scriptedData(3);
    const stepper = scriptedStepper(data, clock, 10, () => ({ loss: 1, correct: 1, count: 4 }));
    const { emitter: e } = emitter();
    const result = await trainPhase(options(data, stepper, e, { shouldStop: () => true }));
    assert.deepEqual(result, { stopped: true, epochsDone: 0, last: undefined });
  });

  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
    it(`fails naming the epoch and batch where the loss became ${bad}`, async () => {
      const data = scriptedData(4);
      const stepper = scriptedStepper(data, clock, 10, (epoch, batch) => ({ loss: epoch === 1 && batch === 2 ? bad : 1, correct: 1, count: 4 }));
      const { emitter: e } = emitter();
      await assert.rejects(trainPhase(options(data, stepper, e)), new RegExp(`The loss became ${bad} in epoch 2, batch 3: training diverged\\. Lower training\\.learningRate`));
    });
  }

  it('validates after every epoch on the validation split, charged to the evaluation time', async () => {
    const { model, batches, expected } = validationSetup();
    const data = scriptedData(2, 2, batches);
    const stepper = scriptedStepper(data, clock, 10, () => ({ loss: 1, correct: 1, count: 4 }));
    const { emitter: e, events } = emitter();
    const times = new TimeLedger(() => 0);
    await trainPhase(options(data, stepper, e, { model, epochs: 2, times }));
    assert.deepEqual(data.splits, ['validation', 'validation']);
    assert.equal(times.report().calls.evaluation, 2);
    for (const end of events.filter((x): x is EpochEnd => x.type === 'epoch-end')) {
      assert.ok(Math.abs(end.validation!.loss - expected.loss) < 1e-5, `${end.validation!.loss} vs ${expected.loss}`);
      assert.equal(end.validation!.accuracy, expected.accuracy);
    }
    tf.dispose(batches.flatMap((b) => [b.x, b.y]));
    model.dispose();
  });
});

/** A tiny conv → dense classifier with seeded weights, and one fixed batch of two 3×3 images. */
function tinyLocal(): { model: tf.LayersModel; conv: tf.LayerVariable; dense: tf.LayerVariable; data: TrainingData } {
  const input = tf.input({ shape: [3, 3, 1] });
  const convLayer = tf.layers.conv2d({ filters: 2, kernelSize: 2, useBias: false, kernelInitializer: tf.initializers.randomNormal({ seed: 7 }) });
  const denseLayer = tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.randomNormal({ seed: 8 }) });
  const model = tf.model({ inputs: input, outputs: denseLayer.apply(tf.layers.flatten().apply(convLayer.apply(input))) as tf.SymbolicTensor });
  const pixels = [0.1, -0.4, 0.9, 0.3, 0.2, -0.7, 0.5, 0.8, -0.1, 0.6, 0.1, -0.2, 0.4, -0.9, 0.3, 0.7, 0.2, 0.1];
  const data: TrainingData = {
    stepsPerEpoch: 1,
    validationSize: 0,
    testSize: 0,
    trainEpoch: () => [{ x: tf.tensor4d(pixels, [2, 3, 3, 1]), y: tf.tensor2d([1, 0, 0, 1], [2, 2]), count: 2 }],
    evaluationBatches: () => [],
    batchesLeft: () => 1,
    getState: () => {
      throw new Error('not used');
    },
    setState: () => {
      throw new Error('not used');
    },
  };
  return { model, conv: convLayer.trainableWeights[0], dense: denseLayer.trainableWeights[0], data };
}

describe('training phase on this thread (cpu, plain SGD)', () => {
  const LR = 0.1;
  before(async () => {
    await tf.setBackend('cpu');
  });

  /** One epoch of one batch; the weights after it, the reported loss and the time ledger. */
  async function oneStep(l1: number, l2: number, extra?: (dense: tf.LayerVariable) => tf.Scalar) {
    const { model, conv, dense, data } = tinyLocal();
    const before = { conv: Array.from(conv.read().dataSync()), dense: Array.from(dense.read().dataSync()) };
    const [batch] = [...data.trainEpoch()];
    const crossEntropy = tf.tidy(() => lossAndCorrect(model.predict(batch.x) as tf.Tensor, batch.y).loss.dataSync()[0]);
    tf.dispose([batch.x, batch.y]);
    const { emitter: e, events } = emitter();
    const times = new TimeLedger(() => 0);
    const optimizer = tf.train.sgd(LR);
    const base = options(data, undefined, e);
    base.optimizer.dispose();
    const tensorsBefore = tf.memory().numTensors;
    await trainPhase({
      ...base,
      model,
      optimizer,
      epochs: 1,
      training: { ...training, schedule: 'constant', learningRate: LR, l1, l2 },
      penalized: { l1: [conv], l2: [conv] },
      extraLoss: extra ? { loss: () => extra(dense) } : undefined,
      times,
    });
    const leaked = tf.memory().numTensors - tensorsBefore;
    const end = events.find((x): x is EpochEnd => x.type === 'epoch-end')!;
    const after = { conv: Array.from(conv.read().dataSync()), dense: Array.from(dense.read().dataSync()) };
    model.dispose();
    optimizer.dispose();
    return { before, after, crossEntropy, loss: end.train.loss, calls: times.report().calls, leaked };
  }

  it('adds training.l1, training.l2 and the extra loss term to the step, and reports the cross-entropy alone', async () => {
    const l1 = 0.02;
    const l2 = 0.05;
    const c = 0.3;
    const plain = await oneStep(0, 0);
    const penalized = await oneStep(l1, l2, (dense) => tf.mul(tf.sum(dense.read()), c) as tf.Scalar);
    penalized.before.conv.forEach((w, i) => {
      const expected = -LR * (l1 * Math.sign(w) + 2 * l2 * w);
      const moved = penalized.after.conv[i] - plain.after.conv[i];
      assert.ok(Math.abs(moved - expected) < 1e-6, `conv ${i}: ${moved} vs ${expected}`);
    });
    penalized.after.dense.forEach((w, i) => {
      const moved = w - plain.after.dense[i];
      assert.ok(Math.abs(moved - -LR * c) < 1e-6, `dense ${i}: ${moved} vs ${-LR * c}`);
    });
    for (const run of [plain, penalized]) {
      assert.ok(Math.abs(run.loss - run.crossEntropy) < 1e-6, `reported ${run.loss} vs cross-entropy ${run.crossEntropy}`);
      // Fetching the batch is charged to "data": the one batch, then the end of the epoch.
      assert.equal(run.calls.data, 2);
      assert.equal(run.leaked, 0, 'the batch and the step leave no tensors');
    }
  });
});

/**
 * A dense softmax model on 1×1×2 images with fixed weights, two validation batches of 3 and 2
 * images, and their mean cross-entropy and accuracy computed in plain JavaScript.
 */
function validationSetup(): { model: tf.LayersModel; batches: Batch[]; expected: { loss: number; accuracy: number } } {
  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [1, 1, 2] }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
  const W = [[1.5, -0.5], [0.25, 2]];
  const b = [0.1, -0.2];
  model.layers[1].setWeights([tf.tensor2d(W), tf.tensor1d(b)]);
  const images = [[1, 0], [0, 1], [-1, 0.5], [2, -1], [0.3, 0.3]];
  const labels = [0, 0, 1, 1, 0];
  let lossSum = 0;
  let correct = 0;
  images.forEach(([u, v], n) => {
    const logits = [0, 1].map((c) => u * W[0][c] + v * W[1][c] + b[c]);
    const z = logits.map((l) => Math.exp(l));
    const p = z.map((e) => e / (z[0] + z[1]));
    lossSum += -Math.log(p[labels[n]]);
    if ((p[1] > p[0] ? 1 : 0) === labels[n]) correct += 1;
  });
  const batch = (from: number, to: number): Batch => ({
    x: tf.tensor4d(images.slice(from, to).flat(), [to - from, 1, 1, 2]),
    y: tf.oneHot(tf.tensor1d(labels.slice(from, to), 'int32'), 2).toFloat() as tf.Tensor2D,
    count: to - from,
  });
  return { model, batches: [batch(0, 3), batch(3, 5)], expected: { loss: lossSum / 5, accuracy: correct / 5 } };
}

describe('evaluation and the loss (cpu)', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('evaluate gives the image-weighted mean cross-entropy and accuracy of a split, and frees its batches', () => {
    const { model, batches, expected } = validationSetup();
    const data = scriptedData(1, 1, batches);
    const before = tf.memory().numTensors;
    const result = evaluate(model, data, 'test');
    assert.deepEqual(data.splits, ['test']);
    assert.ok(Math.abs(result.loss - expected.loss) < 1e-5, `${result.loss} vs ${expected.loss}`);
    assert.equal(result.accuracy, expected.accuracy);
    assert.ok(expected.accuracy > 0 && expected.accuracy < 1, 'the fixture has right and wrong predictions');
    assert.equal(tf.memory().numTensors, before, 'the batches it was given are disposed');
    assert.deepEqual(evaluate(model, scriptedData(1, 1, []), 'validation'), { loss: 0, accuracy: 0 });
    tf.dispose(batches.flatMap((b) => [b.x, b.y]));
    model.dispose();
  });

  it('clips probabilities to [1e-7, 1 − 1e-7] before the log', () => {
    const value = (probs: number[][], y: number[][]) =>
      tf.tidy(() => {
        const { loss, correct } = lossAndCorrect(tf.tensor2d(probs), tf.tensor2d(y));
        return [loss.dataSync()[0], correct.dataSync()[0]];
      });
    const [certainRight, right] = value([[1, 0]], [[1, 0]]);
    assert.ok(Math.abs(certainRight - -Math.log(Math.fround(1 - 1e-7))) < 1e-9 && certainRight > 0, `${certainRight}`);
    assert.equal(right, 1);
    const [certainWrong, wrong] = value([[1, 0]], [[0, 1]]);
    assert.ok(Math.abs(certainWrong - -Math.log(1e-7)) < 1e-4, `${certainWrong}`);
    assert.equal(wrong, 0);
  });
});
