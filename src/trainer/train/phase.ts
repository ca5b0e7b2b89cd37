/**
 * One training phase: a number of epochs of mini-batch training of a model with the full loss
 * (cross-entropy + L1/L2 on conv kernels + an optional search regularizer), with per-batch
 * progress events, per-epoch validation, a checkpoint hook after every epoch, and a cooperative
 * stop between batches.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainingConfig } from '../../core/config/types';
import { learningRateAt } from '../../core/train/schedule';
import type { PhaseKind } from '../../protocol/events';
import { trainableVariables } from '../model/variables';
import type { EventEmitter } from '../run/emitter';
import { evaluate, lossAndCorrect, type Batch, type TrainingData } from './evaluate';
import { setLearningRate } from './optimizer';
import { TimeLedger } from '../run/time-ledger';

export interface Metrics {
  loss: number;
  accuracy: number;
}

/** Extra loss terms computed inside the gradient tape from the model's current variables. */
export interface LossTerm {
  /** Returns a scalar to add to the loss; called inside the tape, so its gradient flows. */
  loss(): tf.Scalar;
}

export interface EpochReport {
  epoch: number;
  train: Metrics;
  validation?: Metrics;
}

export interface PhaseOptions {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  data: TrainingData;
  training: TrainingConfig;
  phase: PhaseKind;
  epochs: number;
  /** Epochs already done (when a phase resumes from a checkpoint). */
  startEpoch?: number;
  /** Conv kernels that get the L1 and the L2 penalty (docs/algorithm.md, "The loss"). */
  penalized: { l1: tf.LayerVariable[]; l2: tf.LayerVariable[] };
  extraLoss?: LossTerm;
  /** Extra figures for the epoch-end event (alive FLOPs and the regularizer value in a search). */
  epochFigures?: () => { aliveFlops?: number; regularizer?: number };
  emitter: EventEmitter;
  shouldStop: () => boolean;
  /** After every completed epoch (e.g. to write a checkpoint). */
  onEpochEnd?: (report: EpochReport) => Promise<void>;
  /** Trains the batches instead of this thread's trainStep (e.g. data-parallel worker threads). */
  stepper?: EpochStepper;
  /** The run's time report: batch preparation and validation are charged apart from the steps. */
  times?: TimeLedger;
}

/** One trained batch's loss (mean over its images), correct predictions and image count. */
export interface StepFigures {
  loss: number;
  correct: number;
  count: number;
}

/**
 * Trains an epoch's batches somewhere other than on this thread's model. When the iteration
 * ends (also early, when the phase stops), the phase's model holds the weights after the last
 * batch yielded and the data stands right after that batch.
 */
export interface EpochStepper {
  epoch(data: TrainingData, learningRate: number): AsyncIterable<StepFigures>;
}

export interface PhaseResult {
  stopped: boolean;
  epochsDone: number;
  last?: EpochReport;
}

const PROGRESS_INTERVAL_MS = 250;

/** The L1 and L2 penalty on the given conv kernels (docs/algorithm.md, "The loss"). */
export function kernelPenalty(penalized: PhaseOptions['penalized'], l1: number, l2: number): tf.Scalar {
  return tf.tidy(() => {
    let total: tf.Scalar = tf.scalar(0);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: with l1 = 0 the term adds 0 to the loss and 0·sign(w) = 0 to each gradient; the test only spares the work.
    if (l1 > 0) for (const v of penalized.l1) total = total.add(tf.abs(v.read()).sum().mul(l1));
    // Stryker disable next-line ConditionalExpression,EqualityOperator: with l2 = 0 the term adds 0 to the loss and 0·2w = 0 to each gradient; the test only spares the work.
    if (l2 > 0) for (const v of penalized.l2) total = total.add(tf.square(v.read()).sum().mul(l2));
    return total;
  });
}

/**
 * One optimizer step on a batch: softmax cross-entropy plus `extra` (the penalties, computed
 * inside the gradient tape so their gradients flow). Returns the cross-entropy alone (what the
 * curves show; the penalties are reported per epoch) and the correct count.
 */
export function trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, batch: Batch, extra?: () => tf.Scalar): { loss: number; correct: number } {
  let kept: { loss: tf.Scalar; correct: tf.Scalar } | null = null;
  const vars = trainableVariables(model);
  optimizer.minimize(
    () => {
      const probs = model.apply(batch.x, { training: true }) as tf.Tensor;
      const parts = lossAndCorrect(probs, batch.y);
      // A copy: minimize disposes the returned cost, which is parts.loss itself without `extra`.
      kept = { loss: tf.keep(parts.loss.clone()), correct: tf.keep(parts.correct) };
      return extra ? (parts.loss.add(extra()) as tf.Scalar) : parts.loss;
    },
    false,
    vars,
  );
  const { loss, correct } = kept!;
  const result = { loss: loss.dataSync()[0], correct: correct.dataSync()[0] };
  loss.dispose();
  correct.dispose();
  return result;
}

function* localSteps(opts: PhaseOptions, penalties: () => tf.Scalar, times: TimeLedger): Generator<StepFigures, void, undefined> {
  for (const batch of times.timeEach('data', opts.data.trainEpoch())) {
    let step: { loss: number; correct: number };
    try {
      step = trainStep(opts.model, opts.optimizer, batch, penalties);
    } finally {
      batch.x.dispose();
      batch.y.dispose();
    }
    yield { ...step, count: batch.count };
  }
}

export async function trainPhase(opts: PhaseOptions): Promise<PhaseResult> {
  const { data, training, emitter, phase, epochs } = opts;
  const times = opts.times ?? new TimeLedger();
  const penalties = (): tf.Scalar => {
    const penalty = kernelPenalty(opts.penalized, training.l1, training.l2);
    return opts.extraLoss ? (penalty.add(opts.extraLoss.loss()) as tf.Scalar) : penalty;
  };
  let last: EpochReport | undefined;
  for (let epoch = opts.startEpoch ?? 0; epoch < epochs; epoch++) {
    const rate = learningRateAt(training, epoch, epochs);
    setLearningRate(opts.optimizer, rate);
    const started = performance.now();
    let lastProgress = 0;
    let seen = 0;
    let lossSum = 0;
    let correctSum = 0;
    const batches = data.stepsPerEpoch;
    // A phase resumed inside an epoch continues that epoch's remaining batches.
    let done = batches - data.batchesLeft();
    const steps = opts.stepper ? opts.stepper.epoch(data, rate) : localSteps(opts, penalties, times);
    for await (const step of steps) {
      lossSum += step.loss * step.count;
      correctSum += step.correct;
      seen += step.count;
      done += 1;
      if (!Number.isFinite(lossSum)) {
        throw new Error(`The loss became ${lossSum} in epoch ${epoch + 1}, batch ${done}: training diverged. Lower training.learningRate or the regularizer strengths.`);
      }
      const now = performance.now();
      if (now - lastProgress > PROGRESS_INTERVAL_MS || done === batches) {
        lastProgress = now;
        const perSecond = seen / ((now - started) / 1000);
        emitter.emit({
          type: 'epoch-progress', phase, epoch: epoch + 1, epochs, batch: done, batches,
          loss: lossSum / seen, accuracy: correctSum / seen, imagesPerSecond: perSecond,
          etaSeconds: (data.batchesLeft() % batches) * opts.training.batchSize / Math.max(perSecond, 1e-9),
        });
      }
      // Let IPC messages and signals in between batches, so Stop is honoured promptly.
      await new Promise((resolve) => setImmediate(resolve));
      // After an epoch's last batch the stop waits for the epoch's end below: the data already
      // stands at the next epoch, so a resume from here would train this one a second time.
      if (done < batches && opts.shouldStop()) return { stopped: true, epochsDone: epoch, last };
    }
    const seconds = (performance.now() - started) / 1000;
    const train = { loss: lossSum / Math.max(seen, 1), accuracy: correctSum / Math.max(seen, 1) };
    const validation = data.validationSize > 0 ? times.time('evaluation', () => evaluate(opts.model, data, 'validation')) : undefined;
    emitter.emit({
      type: 'epoch-end', phase, epoch: epoch + 1, epochs, train, validation,
      imagesPerSecond: seen / seconds, learningRate: rate, seconds, ...(opts.epochFigures?.() ?? {}),
    });
    last = { epoch: epoch + 1, train, validation };
    await opts.onEpochEnd?.(last);
    if (opts.shouldStop()) return { stopped: true, epochsDone: epoch + 1, last };
  }
  return { stopped: false, epochsDone: epochs, last };
}
