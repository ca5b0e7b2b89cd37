import assert from 'node:assert/strict';
import { resolveArchitecture, shortcutAdapter } from '../../../src/core/arch/resolve';
import type { Architecture } from '../../../src/core/arch/types';

describe('arch resolve: shortcut adapters', () => {
  it('pads the narrower side in the reference style (docs/algorithm.md, "Shortcuts between different shapes") and projects on a size change', () => {
    assert.deepEqual(shortcutAdapter('reference', [8, 8, 64], [8, 8, 32]), { padMain: 32, padShortcut: 0, projection: null });
    assert.deepEqual(shortcutAdapter('reference', [8, 8, 64], [4, 4, 128]), {
      padMain: 0,
      padShortcut: 64,
      projection: { stride: 2, inChannels: 128, outChannels: 128, withBatchNorm: false, withBias: true },
    });
    assert.deepEqual(shortcutAdapter('standard', [8, 8, 16], [8, 8, 16]).projection, null);
    assert.deepEqual(shortcutAdapter('standard', [8, 8, 16], [8, 8, 32]).projection, { stride: 1, inChannels: 16, outChannels: 32, withBatchNorm: true, withBias: false });
  });

  it('notices a size change on either axis of a non-square map', () => {
    const adapter = shortcutAdapter('reference', [1, 9, 4], [1, 5, 4]);
    assert.equal(adapter.projection?.stride, 2);
    const arch: Architecture = {
      schemaVersion: 1,
      blockStyle: 'standard',
      input: { height: 1, width: 16, channels: 1 },
      numClasses: 2,
      layers: [
        { kind: 'conv', id: 'a', width: 4, kernel: 3, stride: 2, origin: 'seed' },
        { kind: 'conv', id: 'b', width: 4, kernel: 3, stride: 1, origin: 'seed' },
      ],
      skips: [{ id: 's', from: 'a', to: 'b' }],
    };
    const resolved = resolveArchitecture(arch);
    assert.deepEqual(resolved.skips[0].outShape, [1, 8, 4]);
    assert.equal(resolved.skips[0].adapter.projection?.stride, 2);
  });
});
