import * as assert from 'node:assert/strict';
import { countFlops } from '../../../src/core/arch/cost';
import { cifarResNet, resnet20 } from '../../../src/core/arch/seeds';
import type { ConvLayer } from '../../../src/core/arch/types';

const mnist = { height: 28, width: 28, channels: 1 };
const convs = (layers: { kind: string }[]) => layers.filter((l): l is ConvLayer => l.kind === 'conv');

describe('the CIFAR ResNet family', () => {
  it('has depth − 2 convs in blocks plus the stem, n = (depth − 2) / 6 blocks per stage', () => {
    for (const depth of [8, 14, 20, 32]) {
      const arch = cifarResNet(mnist, 10, 'standard', { depth, widthMultiplier: 1 });
      assert.equal(convs(arch.layers).length, depth - 1, `depth ${depth}`);
      assert.equal(arch.skips.length, (depth - 2) / 2, `depth ${depth}`);
      assert.deepEqual(arch.skips.map((s) => s.id).filter((id) => id.startsWith('s3')).length, (depth - 2) / 6);
    }
  });

  it('scales every width by the multiplier, rounded to whole channels', () => {
    const arch = cifarResNet(mnist, 10, 'standard', { depth: 8, widthMultiplier: 0.75 });
    assert.deepEqual(convs(arch.layers).map((c) => c.width), [12, 12, 12, 24, 24, 48, 48]);
  });

  it('makes ResNet-20 the family member of depth 20 at full width, in both styles', () => {
    for (const style of ['standard', 'reference'] as const) {
      assert.deepEqual(resnet20(mnist, 10, style), cifarResNet(mnist, 10, style, { depth: 20, widthMultiplier: 1 }));
    }
  });

  it('grows in FLOPs with depth and width, spanning a few to over a hundred MFLOPs on 28×28 images', () => {
    const flops = (depth: number, widthMultiplier: number) => countFlops(cifarResNet(mnist, 10, 'standard', { depth, widthMultiplier }));
    assert.ok(flops(8, 0.5) < flops(8, 0.75) && flops(8, 0.75) < flops(8, 1));
    assert.ok(flops(8, 1) < flops(14, 1) && flops(14, 1) < flops(20, 1) && flops(20, 1) < flops(32, 1));
    assert.ok(flops(8, 0.5) < 10e6, `smallest: ${flops(8, 0.5)}`);
    assert.ok(flops(32, 1) > 90e6, `largest: ${flops(32, 1)}`);
  });

  it('rejects depths that are not 6n + 2 and widths that are not positive', () => {
    assert.throws(() => cifarResNet(mnist, 10, 'standard', { depth: 18, widthMultiplier: 1 }), /6n \+ 2/);
    assert.throws(() => cifarResNet(mnist, 10, 'standard', { depth: 2, widthMultiplier: 1 }), /6n \+ 2/);
    assert.throws(() => cifarResNet(mnist, 10, 'standard', { depth: 8, widthMultiplier: 0 }), /above 0/);
  });
});
