/** The architectures the export tests share, without TF.js, so the fast tests of the export graph can load them. */
import { ARCH_SCHEMA_VERSION, type Architecture, type BlockStyle } from '../../../src/core/arch/types';
import { conv } from '../search/fixtures';

export const MNIST = { height: 28, width: 28, channels: 1 };

/**
 * Every adapter on 28×28 digits: a 7×7/2 stem on an even size (TF pads 2 before, 3 after), a
 * strided block on an even size (pads 0/1) that also narrows the channels (reference: zero-pads
 * the main path; standard: 1×1/2 projection), a one-conv block that widens them (reference:
 * zero-pads the shortcut), a 5×5 conv outside any block, max pooling to an odd size, a strided
 * block on it, average pooling, a max pool on a 1×1 map, and a hidden dense layer.
 */
export function everyLayerKind(style: BlockStyle): Architecture {
  return {
    schemaVersion: ARCH_SCHEMA_VERSION,
    blockStyle: style,
    input: MNIST,
    numClasses: 10,
    layers: [
      conv('stem', 8, { stride: 2, kernel: 7 }),
      conv('a.c1', 12, { stride: 2 }),
      conv('a.c2', 6),
      conv('b.c1', 10),
      conv('mid', 9, { kernel: 5 }),
      { kind: 'pool', id: 'maxpool', pool: 'max', size: 2, stride: 2 },
      conv('c.c1', 12, { stride: 2 }),
      conv('c.c2', 12),
      { kind: 'pool', id: 'avgpool', pool: 'avg', size: 2, stride: 2 },
      { kind: 'pool', id: 'tiny', pool: 'max', size: 2, stride: 2 },
      { kind: 'dense', id: 'fc', units: 16 },
    ],
    skips: [
      { id: 'a', from: 'a.c1', to: 'a.c2' },
      { id: 'b', from: 'b.c1', to: 'b.c1' },
      { id: 'c', from: 'c.c1', to: 'c.c2' },
    ],
  };
}
