/**
 * The identity of an architecture for the duplicate check of insertions (docs/algorithm.md, "Random in: insertion"): the
 * sequence of layer kinds with conv widths, dense sizes and pool types. Skips, kernel sizes,
 * strides and ids are deliberately not compared, as in the reference code: two nets that differ
 * only in where a block's shortcut sits count as the same.
 */
import type { Architecture, Layer } from '../arch/types';

function layerKey(layer: Layer): string {
  switch (layer.kind) {
    case 'conv':
      return `conv${layer.width}`;
    case 'pool':
      return `${layer.pool}pool`;
    case 'dense':
      return `dense${layer.units}`;
  }
}

export function architectureKey(arch: Architecture): string {
  return arch.layers.map(layerKey).join('|');
}
