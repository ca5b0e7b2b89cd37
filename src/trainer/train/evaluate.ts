/** Evaluation of a model on a data split, in inference mode (BN uses its moving statistics). */
import * as tf from '@tensorflow/tfjs';
import type { HostBatch, TrainingBatchesState } from '../data/batches';
import { foldForInference } from '../model/inference';

export interface Batch {
  x: tf.Tensor4D;
  y: tf.Tensor2D;
  count: number;
}

/** What a training phase needs from a dataset: shuffled, augmented training batches and plain evaluation batches. */
export interface TrainingData {
  stepsPerEpoch: number;
  validationSize: number;
  testSize: number;
  /** One epoch of training batches; the caller disposes each batch. */
  trainEpoch(): Iterable<Batch>;
  /** As trainEpoch, as host arrays (for worker threads); optional, trainEpoch's tensors are read back without it. */
  trainHostEpoch?(): Iterable<HostBatch>;
  /** The split in order, without augmentation; the caller disposes each batch. */
  evaluationBatches(split: 'validation' | 'test'): Iterable<Batch>;
  /** Training batches left in the epoch under way (all of the next one between epochs). */
  batchesLeft(): number;
  /** Where the training batches stand (order and augmentation draws), for a checkpoint inside an epoch. */
  getState(): TrainingBatchesState;
  setState(state: TrainingBatchesState): void;
}

/** The mean categorical cross-entropy of softmax outputs, and the number of correct predictions. */
export function lossAndCorrect(probs: tf.Tensor, y: tf.Tensor): { loss: tf.Scalar; correct: tf.Scalar } {
  return tf.tidy(() => {
    const clipped = tf.clipByValue(probs, 1e-7, 1 - 1e-7);
    const loss = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(clipped)), -1))) as tf.Scalar;
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), tf.argMax(y, -1)), 'float32')) as tf.Scalar;
    return { loss, correct };
  });
}

/** Loss and accuracy on a split, with the batch norms folded into their convolutions (inference.ts). */
export function evaluate(model: tf.LayersModel, data: TrainingData, split: 'validation' | 'test'): { loss: number; accuracy: number } {
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  const net = foldForInference(model);
  try {
    for (const batch of data.evaluationBatches(split)) {
      const [loss, right] = tf.tidy(() => {
        const { loss, correct } = lossAndCorrect(net.predict(batch.x), batch.y);
        return [loss.dataSync()[0], correct.dataSync()[0]];
      });
      lossSum += loss * batch.count;
      correct += right;
      seen += batch.count;
      batch.x.dispose();
      batch.y.dispose();
    }
  } finally {
    net.dispose();
  }
  return { loss: lossSum / Math.max(seen, 1), accuracy: correct / Math.max(seen, 1) };
}
