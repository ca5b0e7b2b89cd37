import * as assert from 'node:assert/strict';
import { AUTO_START_MAX_SIDE, autoStart, cifarResNet, emptyNet, START_ARCHITECTURES } from '../../../src/core/arch/seeds';
import { BUILT_IN_STARTS } from '../../../src/core/config/types';

describe('the auto start', () => {
  it('is a CIFAR ResNet-8 at full width for images up to 32×32, in both block styles', () => {
    for (const style of ['standard', 'reference'] as const) {
      for (const input of [{ height: 28, width: 28, channels: 1 }, { height: 32, width: 32, channels: 3 }, { height: 16, width: 32, channels: 3 }]) {
        assert.deepEqual(autoStart(input, 10, style), cifarResNet(input, 10, style, { depth: 8, widthMultiplier: 1 }), `${input.height}×${input.width} ${style}`);
      }
    }
  });

  it('is the empty start as soon as one side is larger than 32 pixels', () => {
    for (const input of [{ height: 64, width: 64, channels: 3 }, { height: 28, width: AUTO_START_MAX_SIDE + 1, channels: 1 }, { height: 33, width: 28, channels: 1 }]) {
      assert.deepEqual(autoStart(input, 7, 'standard'), emptyNet(input, 7, 'standard'), `${input.height}×${input.width}`);
    }
  });

  it('every built-in start a config can name has a builder', () => {
    assert.deepEqual(Object.keys(START_ARCHITECTURES).sort(), [...BUILT_IN_STARTS].sort());
  });
});
