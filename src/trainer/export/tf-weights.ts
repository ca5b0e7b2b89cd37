/** A TF.js model's weights by name (`<layer>/<param>`), the form the exporters take (core/export/weights.ts). */
import type * as tf from '@tensorflow/tfjs';
import type { TfWeights } from '../../core/export/weights';

export function modelWeights(model: tf.LayersModel): TfWeights {
  const weights = new Map<string, Float32Array>();
  for (const w of model.weights) weights.set(w.originalName, w.read().dataSync() as Float32Array);
  return weights;
}
