/** A small BN network, reproducible host batches, and weight comparison for the data-parallel tests. */
import * as tf from '@tensorflow/tfjs';
import { insertBlockAfter } from '../../../bench/lib/arch-edits';
import { emptyNet } from '../../../src/core/arch/seeds';
import type { Architecture } from '../../../src/core/arch/types';
import { CONFIG_DEFAULTS } from '../../../src/core/config/defaults';
import type { SearchConfig, TrainingConfig } from '../../../src/core/config/types';
import { Rng } from '../../../src/core/rng';
import type { HostBatch } from '../../../src/trainer/data/batches';
import { toTensors } from '../../../src/trainer/data/batches';
import { buildModel } from '../../../src/trainer/model';
import { morphnetTerm, penalizedKernels } from '../../../src/trainer/session/model-state';
import { kernelPenalty, trainStep } from '../../../src/trainer/train/phase';

export const SIZE = 8;
export const CLASSES = 3;

/** Stem conv+BN, one residual block (two conv+BN), classifier: BN at three places. */
export function bnArch(): Architecture {
  const base = emptyNet({ height: SIZE, width: SIZE, channels: 2 }, CLASSES, 'standard');
  const narrowed: Architecture = { ...base, layers: base.layers.map((l) => (l.kind === 'conv' ? { ...l, width: 6, kernel: 3, stride: 1 } : l.kind === 'dense' ? { ...l, units: 12 } : l)) };
  return insertBlockAfter(narrowed, 'stem', 'r001', ['r001.conv1', 'r001.conv2'], 6, { insertedAt: 1 });
}

export function training(overrides: Partial<TrainingConfig> = {}): TrainingConfig {
  return { ...CONFIG_DEFAULTS.training, batchSize: 15, learningRate: 1e-2, l1: 1e-4, l2: 1e-3, batchNormMomentum: 0.9, ...overrides };
}

export const search: SearchConfig = { ...CONFIG_DEFAULTS.search, morphnetLambda: 1e-4 };

export function model(arch: Architecture, config: TrainingConfig): tf.LayersModel {
  return buildModel(arch, { seed: 11, batchNormMomentum: config.batchNormMomentum });
}

/** Random images (channel means away from 0, so BN has something to remove) and one-hot labels. */
export function hostBatch(count: number, seed: number): HostBatch {
  const rng = new Rng(seed, 'parallel-test');
  const image = SIZE * SIZE * 2;
  const x = new Float32Array(count * image);
  for (let i = 0; i < x.length; i++) x[i] = (i % 2 === 0 ? 1.5 : -0.5) + 2 * (rng.next() - 0.5);
  const y = new Float32Array(count * CLASSES);
  for (let n = 0; n < count; n++) y[n * CLASSES + Math.floor(rng.next() * CLASSES)] = 1;
  return { x, y, count, shape: [count, SIZE, SIZE, 2], numClasses: CLASSES };
}

/** One in-process step on the whole batch with the phase's loss (cross-entropy + L1/L2 + MorphNet). */
export function referenceStep(m: tf.LayersModel, optimizer: tf.Optimizer, arch: Architecture, config: TrainingConfig, batch: HostBatch, withMorphnet: boolean): number {
  const penalized = penalizedKernels(m, arch, false);
  const morph = withMorphnet ? morphnetTerm(m, arch, search) : null;
  const tensors = toTensors(batch);
  try {
    return trainStep(m, optimizer, tensors, () => {
      const p = kernelPenalty(penalized, config.l1, config.l2);
      return morph ? (p.add(morph.loss()) as tf.Scalar) : p;
    }).loss;
  } finally {
    tensors.x.dispose();
    tensors.y.dispose();
  }
}

/** Per weight: max |a − b| / max |b| (b the reference); the largest over all weights and its name. */
export function maxRelativeError(a: tf.LayersModel, b: tf.LayersModel): { error: number; name: string } {
  let worst = { error: 0, name: '' };
  a.weights.forEach((w, i) => {
    const x = w.read().dataSync();
    const y = b.weights[i].read().dataSync();
    let diff = 0;
    let scale = 0;
    for (let k = 0; k < y.length; k++) {
      diff = Math.max(diff, Math.abs(x[k] - y[k]));
      scale = Math.max(scale, Math.abs(y[k]));
    }
    const error = diff / Math.max(scale, 1e-12);
    if (error > worst.error) worst = { error, name: w.originalName };
  });
  return worst;
}

/** The values of every weight whose name ends with `suffix`, in model order. */
export function weightsNamed(m: tf.LayersModel, suffix: string): Float32Array[] {
  return m.weights.filter((w) => w.originalName.endsWith(suffix)).map((w) => w.read().dataSync() as Float32Array);
}
