/**
 * Carries weights from one model to its rebuilt successor (spec 5.3): after an insertion or a
 * deletion every surviving layer keeps its weights, matched by TF.js layer name (which derives
 * from the graph id) and weight name, when the shapes agree. BN moving statistics travel too.
 */
import type * as tf from '@tensorflow/tfjs';

export interface TransferReport {
  /** Weight names (`<layer>/<weight>`) copied from the old model. */
  carried: string[];
  /** Weight names of the new model that keep their fresh initialisation (new layer or new shape). */
  fresh: string[];
}

export function transferWeights(from: tf.LayersModel, to: tf.LayersModel): TransferReport {
  const source = new Map<string, tf.LayerVariable>();
  for (const layer of from.layers) for (const w of layer.weights) source.set(w.originalName, w);
  const carried: string[] = [];
  const fresh: string[] = [];
  for (const layer of to.layers) {
    for (const w of layer.weights) {
      const old = source.get(w.originalName);
      if (old && old.shape.length === w.shape.length && old.shape.every((d, i) => d === w.shape[i])) {
        // write() shares the old tensor's data; later updates of either model replace, not mutate, it.
        w.write(old.read());
        carried.push(w.originalName);
      } else {
        fresh.push(w.originalName);
      }
    }
  }
  return { carried, fresh };
}
