/**
 * Batch normalisation in training mode with its closed-form gradient.
 *
 * TF.js differentiates `tf.moments` + `tf.batchNorm` op by op: the gradient of the batch mean and
 * variance broadcasts per-channel values back over N×H×W with `Tile` and walks each activation
 * a dozen times. A profile of a ResNet-20 step put those passes at about a third of the step.
 * The closed form needs two per-channel sums and one fused pass (for M = N·H·W values per
 * channel, x̂ the normalised input):
 *
 *   dβ = Σ dy,   dγ = Σ dy·x̂,   dx = γ/σ · (dy − dβ/M − x̂·dγ/M)
 *
 * The model builder's batch norms are `FusedBatchNormalization` layers, which use it in
 * training and are saved as TF.js's own BatchNormalization.
 */
import * as tf from '@tensorflow/tfjs';
import { TrainingPassLayer } from './training-pass-layer';
import { batchMoments, batchNormGradInput, batchNormGradSums } from './batch-norm-ops';

/**
 * Combines batch statistics across replicas that each hold a part of one batch (synchronised
 * BN for data-parallel training): every replica then normalises with the whole batch's mean and
 * variance, and its gradient uses the whole batch's Σdy and Σdy·x̂, so the replicas together
 * compute exactly what one thread would on the whole batch.
 */
export interface BatchStatisticsReducer {
  /** The whole batch's per-channel mean and variance and its value count, from this replica's. */
  moments(count: number, mean: tf.Tensor1D, variance: tf.Tensor1D): { count: number; mean: tf.Tensor1D; variance: tf.Tensor1D };
  /** Elementwise sums of per-channel values over the replicas. */
  sums(values: tf.Tensor1D[]): tf.Tensor1D[];
}

let reducer: BatchStatisticsReducer | null = null;

/** Installs (or with null removes) the reducer every BN in training mode of this thread uses. */
export function setBatchStatisticsReducer(next: BatchStatisticsReducer | null): void {
  reducer = next;
}

export interface BatchNormTraining {
  output: tf.Tensor;
  /** The batch statistics, for the moving averages; the caller disposes them. */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * y = γ·(x − mean)/σ + β with the batch's own statistics. The statistics are computed inside
 * the custom gradient's forward pass, where TF.js records no tape, so no gradient work is spent
 * on them; their effect on dx is in the closed form.
 */
export function normalizeInTraining(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): BatchNormTraining {
  // Replicas of a data-parallel step divide by the whole batch's count (set in the forward pass).
  let count = x.size / x.shape[x.shape.length - 1];
  const sync = reducer;
  let stats: { mean: tf.Tensor1D; variance: tf.Tensor1D } | null = null;
  const fused = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, g, b] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    let { mean, variance } = batchMoments(input);
    if (sync) ({ count, mean, variance } = sync.moments(count, mean, variance));
    stats = { mean: tf.keep(mean as tf.Tensor1D), variance: tf.keep(variance as tf.Tensor1D) };
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    save([input, g, mean, invStd]);
    return {
      value: tf.batchNorm(input, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, epsilon),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, gs, ms, inv] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        // Two passes over the activations (one native kernel each where available): the sums, then dx.
        const { sumDy: dBeta, sumDyXhat: dGamma } = batchNormGradSums(dy, xs, ms, inv);
        // dγ and dβ stay this replica's own: the parameter gradients are summed after the backward pass.
        const [sumBeta, sumGamma] = sync ? sync.sums([dBeta, dGamma]) : [dBeta, dGamma];
        const dx = batchNormGradInput(dy, xs, ms, inv, gs, sumBeta, sumGamma, count);
        return [dx, dGamma, dBeta];
      },
    };
  });
  const output = fused(x, gamma, beta);
  const { mean, variance } = stats!;
  return { output, mean, variance };
}

/** The settings of the batch norms the model builder makes (always on the channel axis, with γ and β). */
export interface FusedBatchNormArgs {
  name: string;
  momentum: number;
  epsilon: number;
  gammaInitializer: 'zeros' | 'ones';
}

/**
 * A batch norm on the last axis that trains with `normalizeInTraining`; everything else is
 * TF.js's own BatchNormalization.
 */
export class FusedBatchNormalization extends TrainingPassLayer {
  private readonly momentum: number;
  private readonly epsilon: number;

  constructor(args: FusedBatchNormArgs) {
    super(args.name, tf.layers.batchNormalization({ ...args, axis: -1 }));
    this.momentum = args.momentum;
    this.epsilon = args.epsilon;
  }

  protected override trainingCall(input: tf.Tensor, weights: tf.LayerVariable[]): tf.Tensor {
    // The built-in layer's weight order: γ, β, then the moving mean and variance.
    const [gamma, beta, movingMean, movingVariance] = weights;
    return tf.tidy(() => {
      const { output, mean, variance } = normalizeInTraining(input, gamma.read() as tf.Tensor1D, beta.read() as tf.Tensor1D, this.epsilon);
      for (const [variable, value] of [[movingMean, mean], [movingVariance, variance]] as const) {
        const old = variable.read();
        variable.write(tf.sub(old, tf.mul(tf.sub(old, value), 1 - this.momentum)));
        value.dispose();
      }
      return output;
    });
  }
}
