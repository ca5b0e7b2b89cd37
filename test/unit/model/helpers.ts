import * as tf from '@tensorflow/tfjs';
import type { Architecture, ConvLayer, Layer, Skip } from '../../../src/core/arch/types';

export function conv(id: string, width: number, stride = 1, kernel = 3): ConvLayer {
  return { kind: 'conv', id, width, kernel, stride, origin: 'seed' };
}

export function arch(style: Architecture['blockStyle'], layers: Layer[], skips: Skip[], input = { height: 16, width: 16, channels: 1 }, numClasses = 3): Architecture {
  return { schemaVersion: 1, blockStyle: style, input, numClasses, layers, skips };
}

/** A weight's shape; weights always have known dimensions. */
export function dims(w: tf.LayerVariable): number[] {
  return w.shape.map((d) => d ?? 0);
}

export function size(w: tf.LayerVariable): number {
  return dims(w).reduce((a, b) => a * b, 1);
}

/** Every weight replaced by seeded random values (variances positive), so BN is far from identity. */
export function randomizeWeights(model: tf.LayersModel, seed: number): void {
  model.weights.forEach((w, i) => {
    const positive = w.originalName.endsWith('/moving_variance');
    const value = positive ? tf.randomUniform(dims(w), 0.5, 1.5, 'float32', seed + i) : tf.randomUniform(dims(w), -0.5, 0.5, 'float32', seed + i);
    w.write(value);
    value.dispose();
  });
}

export function predict(model: tf.LayersModel, x: tf.Tensor): Float32Array {
  return tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Switches to the cpu backend for a suite and restores the previous one afterwards. */
export function useCpuBackend(): void {
  let previous = '';
  before(async () => {
    previous = tf.getBackend();
    await tf.setBackend('cpu');
  });
  after(async () => {
    if (previous && previous !== 'cpu') await tf.setBackend(previous);
  });
}
