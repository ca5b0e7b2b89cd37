/**
 * Shared by the export tests: architectures that between them hold every layer kind a search can
 * produce, models built by the project's own builder with briefly trained weights, a finished
 * run folder on disk, the built-in MNIST test digits, and the agreement measures.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ARCH_DOCUMENT_VERSION, serializeArchDocument } from '../../../src/core/arch/document';
import { emptyNet, resnet20 } from '../../../src/core/arch/seeds';
import type { Architecture, BlockStyle } from '../../../src/core/arch/types';
import { loadDataset } from '../../../src/trainer/data/load';
import { buildModel } from '../../../src/trainer/model/build';
import { exportModel } from '../../../src/trainer/model/export';
import { datasetConfig } from '../data/fixtures';
import { everyLayerKind, MNIST } from './arch-cases';

export { everyLayerKind };

/** The architectures every export test runs on, per block style. */
export function exportCases(style: BlockStyle): { name: string; arch: Architecture }[] {
  const r20 = resnet20(MNIST, 10, style);
  // ResNet-20's layout at an eighth of its widths, so the cpu reference stays quick.
  const narrow = { ...r20, layers: r20.layers.map((l) => (l.kind === 'conv' ? { ...l, width: Math.max(2, Math.round(l.width / 8)) } : l)) };
  return [
    { name: 'every layer kind', arch: everyLayerKind(style) },
    { name: 'ResNet-20 layout (stride-2 blocks, no dense layer)', arch: narrow },
    { name: 'empty start (7×7/2 stem, pools, Dense(1000))', arch: emptyNet(MNIST, 10, style) },
  ];
}

export interface Digits {
  /** NHWC float32, raw 0–255 values as the trainer feeds the MNIST family. */
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

let digits: Promise<{ train: Digits; test: Digits }> | null = null;

function toDigits(set: { images: Uint8Array; labels: Uint16Array; count: number }): Digits {
  return { images: Float32Array.from(set.images), labels: Int32Array.from(set.labels), count: set.count };
}

/** The built-in MNIST split a run with seed 42 uses: 2,000 test digits, and training digits. */
export function mnistDigits(): Promise<{ train: Digits; test: Digits }> {
  digits ??= loadDataset(datasetConfig({ source: 'mnist', testSplit: 0.2, validationSplit: 0 }), { configDir: '/', seed: 42 }).then((d) => ({ train: toDigits(d.train), test: toDigits(d.test) }));
  return digits;
}

/**
 * The builder's model with realistic, non-trivial weights, without the cost of training on the
 * cpu backend: glorot kernels, random BN scales and offsets, and moving statistics set from a
 * training-mode pass over digits (BN momentum 0: the moving statistics become the batch's), so
 * the softmax is neither saturated nor uniform.
 */
export function calibratedModel(a: Architecture, train: Digits, seed = 7): tf.LayersModel {
  const model = buildModel(a, { seed, batchNormMomentum: 0 });
  for (const [i, w] of model.weights.entries()) {
    const name = w.originalName;
    if (name.endsWith('/gamma') || name.endsWith('/beta') || (name.endsWith('/bias') && !name.startsWith('classifier'))) {
      const value = name.endsWith('/gamma') ? tf.randomUniform(w.shape as number[], 0.5, 1.5, 'float32', seed + i) : tf.randomUniform(w.shape as number[], -0.2, 0.2, 'float32', seed + i);
      w.write(value);
      value.dispose();
    }
  }
  const n = 128;
  tf.tidy(() => {
    model.apply(tf.tensor4d(train.images.subarray(0, n * 784), [n, 28, 28, 1]), { training: true });
  });
  return model;
}

/** TF.js's softmax on the digits, in batches. */
export function tfPredict(model: tf.LayersModel, set: Digits): Float32Array {
  const classes = (model.outputs[0].shape[1] as number) ?? 0;
  const out = new Float32Array(set.count * classes);
  const batch = 250;
  for (let i = 0; i < set.count; i += batch) {
    const n = Math.min(batch, set.count - i);
    const probs = tf.tidy(() => (model.predict(tf.tensor4d(set.images.subarray(i * 784, (i + n) * 784), [n, 28, 28, 1])) as tf.Tensor).dataSync());
    out.set(probs, i * classes);
  }
  return out;
}

/** NHWC → NCHW for one-channel images is a reshape; kept general for clarity of intent. */
export function toNchw(images: Float32Array, count: number, h: number, w: number, c: number): Float32Array {
  return tf.tidy(() => tf.transpose(tf.tensor4d(images, [count, h, w, c]), [0, 3, 1, 2]).dataSync() as Float32Array);
}

export interface Agreement {
  maxAbsDiff: number;
  /** Fraction of images with the same argmax. */
  argmaxAgreement: number;
  /** TF.js's own accuracy on the images, to show the weights are trained, not degenerate. */
  accuracy: number;
}

export function agreement(expected: Float32Array, actual: Float32Array, classes: number, labels: Int32Array): Agreement {
  if (expected.length !== actual.length) throw new Error(`output sizes differ: ${expected.length} vs ${actual.length}`);
  const argmax = (a: Float32Array, i: number): number => {
    let best = 0;
    for (let k = 1; k < classes; k++) if (a[i * classes + k] > a[i * classes + best]) best = k;
    return best;
  };
  let maxAbsDiff = 0;
  for (let i = 0; i < expected.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(expected[i] - actual[i]));
  const n = expected.length / classes;
  let same = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    if (argmax(expected, i) === argmax(actual, i)) same++;
    if (argmax(expected, i) === labels[i]) correct++;
  }
  return { maxAbsDiff: Number.isNaN(maxAbsDiff) ? Infinity : maxAbsDiff, argmaxAgreement: same / n, accuracy: correct / n };
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A finished run folder as a run leaves it: `result.arch.json` with provenance and `model/`. */
export async function finishedRunFolder(root: string, a: Architecture, model: tf.LayersModel, runId = 'digits-20261203-120000-abcd'): Promise<string> {
  const runDir = path.join(root, '.resbuilder', 'runs', runId);
  fs.mkdirSync(runDir, { recursive: true });
  await exportModel(model, path.join(runDir, 'model'));
  const doc = serializeArchDocument({
    schemaVersion: ARCH_DOCUMENT_VERSION,
    architecture: a,
    metrics: { testAccuracy: 0.9123, testLoss: 0.3, validationAccuracy: null, params: 1, flops: 2, depth: 3 },
    provenance: {
      runId,
      createdAt: '2026-12-03T12:00:00.000Z',
      configFile: 'digits.resbuilder.yaml',
      configHash: 'sha256:0123abcd',
      seed: 42,
      backend: 'cpu',
      dataset: { name: 'mnist', fingerprint: 'fp', trainSize: 8000, validationSize: 0, testSize: 2000 },
      versions: { 'resbuilder-studio': '0.1.0', 'tfjs-core': tf.version_core },
    },
    changes: [],
  });
  fs.writeFileSync(path.join(runDir, 'result.arch.json'), doc);
  fs.writeFileSync(path.join(root, 'digits.arch.json'), doc);
  return runDir;
}
