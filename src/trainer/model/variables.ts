/**
 * Access to a built model's weights by graph id, for the search's regularizers (MorphNet, layer
 * LASSO) and the deletion criterion, which think in graph layers, not TF.js layers.
 */
import * as tf from '@tensorflow/tfjs';
import { ArchitectureError, resolveArchitecture } from '../../core/arch/resolve';
import type { Architecture } from '../../core/arch/types';
import { CLASSIFIER_NAME, tfLayerName } from './names';

export interface GraphLayerVariables {
  kernel?: tf.LayerVariable;
  bias?: tf.LayerVariable;
  /** The BN γ of the conv: the BN before it (reference style) or after it (standard style). */
  gamma?: tf.LayerVariable;
}

/**
 * The tf.Variable a layer variable holds. TF.js keeps it private, but optimizers and
 * tf.variableGrads take tf.Variables, and the data-parallel workers match weights by it.
 */
export function backingVariable(weight: tf.LayerVariable): tf.Variable {
  return (weight as unknown as { val: tf.Variable }).val;
}

/** The model's trainable weights as tf.Variables, in the order optimizers keep their slots. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map(backingVariable);
}

/** The layer's weight called `weight` (`kernel`, `bias`, `gamma`, ...), if it has one. */
export function layerWeight(layer: tf.layers.Layer, weight: string): tf.LayerVariable | undefined {
  const full = `${layer.name}/${weight}`;
  return layer.weights.find((w) => w.originalName === full);
}

function findLayer(model: tf.LayersModel, name: string, graphId: string): tf.layers.Layer {
  const layer = model.layers.find((l) => l.name === name);
  if (!layer) throw new ArchitectureError(`The model has no TF.js layer "${name}" for "${graphId}"; was it built from this architecture?`, graphId);
  return layer;
}

/**
 * Keyed by graph layer id (convs and hidden dense layers), `<skipId>.proj` for shortcut
 * projections, and `classifier` for the softmax layer.
 */
export function layerVariables(model: tf.LayersModel, arch: Architecture): Map<string, GraphLayerVariables> {
  const resolved = resolveArchitecture(arch);
  const out = new Map<string, GraphLayerVariables>();
  const put = (key: string, value: GraphLayerVariables): void => {
    if (out.has(key)) throw new ArchitectureError(`Layer id "${key}" clashes with a name reserved for a shortcut projection or the classifier; rename it.`, key);
    out.set(key, value);
  };
  for (const { layer } of resolved.layers) {
    if (layer.kind === 'conv') {
      const conv = findLayer(model, tfLayerName(layer.id, 'conv'), layer.id);
      const bn = findLayer(model, tfLayerName(layer.id, 'bn'), layer.id);
      put(layer.id, { kernel: layerWeight(conv, 'kernel'), bias: layerWeight(conv, 'bias'), gamma: layerWeight(bn, 'gamma') });
    } else if (layer.kind === 'dense') {
      const dense = findLayer(model, tfLayerName(layer.id, 'dense'), layer.id);
      put(layer.id, { kernel: layerWeight(dense, 'kernel'), bias: layerWeight(dense, 'bias') });
    }
  }
  for (const skip of resolved.skips) {
    const projection = skip.adapter.projection;
    if (!projection) continue;
    const id = skip.skip.id;
    const conv = findLayer(model, tfLayerName(id, 'proj'), id);
    const bn = projection.withBatchNorm ? findLayer(model, tfLayerName(id, 'projbn'), id) : undefined;
    put(`${id}.proj`, { kernel: layerWeight(conv, 'kernel'), bias: layerWeight(conv, 'bias'), gamma: bn ? layerWeight(bn, 'gamma') : undefined });
  }
  const classifier = findLayer(model, CLASSIFIER_NAME, CLASSIFIER_NAME);
  put(CLASSIFIER_NAME, { kernel: layerWeight(classifier, 'kernel'), bias: layerWeight(classifier, 'bias') });
  return out;
}
