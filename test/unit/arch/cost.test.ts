import assert from 'node:assert/strict';
import { architectureCost, costBreakdown, countFlops, countParams } from '../../../src/core/arch/cost';
import { emptyNet, resnet18, resnet20 } from '../../../src/core/arch/seeds';
import type { InputShape } from '../../../src/core/arch/types';

const cifar: InputShape = { height: 32, width: 32, channels: 3 };
const mnist: InputShape = { height: 28, width: 28, channels: 1 };

function sig4(x: number): string {
  return x.toExponential(3);
}

describe('cost: ResNet18 start (reference style, docs/algorithm.md, "Start architectures")', () => {
  it('CIFAR10: 7.585e7 FLOPs = 75,853,344', () => {
    // stem 7×7/2 → 16×16×64:              2·256·49·3·64            =  4,816,896
    // max pool → 8×8; stage 1, 4 convs:    4 · 2·64·9·64·64         = 18,874,368
    // stages 2–4 (4×4, 2×2, 1×1) each:     2·HW·9·C·2C + 3·2·HW·9·(2C)² + 1×1 proj 2·HW·(2C)²
    //   = 2,359,296 + 14,155,776 + 524,288 = 17,039,360, ×3   = 51,118,080
    // dense 512→1000: 1,024,000; classifier 1000→10: 20,000   =  1,044,000
    // total                                                    = 75,853,344
    const flops = countFlops(resnet18(cifar, 10, 'reference'));
    assert.equal(sig4(flops), '7.585e+7');
    assert.equal(flops, 75_853_344);
  });

  it('CIFAR10: 11,873,544 trainable parameters', () => {
    assert.equal(countParams(resnet18(cifar, 10, 'reference')), 11_873_544);
  });

  it('CIFAR100 7.603e7, MNIST 6.784e7, EMNIST-62 6.795e7, Animals10 6.863e9', () => {
    // CIFAR100: the classifier grows by 2·1000·90 = 180,000 → 76,033,344.
    const c100 = countFlops(resnet18(cifar, 100, 'reference'));
    assert.equal(sig4(c100), '7.603e+7');
    assert.equal(c100, 76_033_344);
    // MNIST 28×28×1: stem 14×14: 2·196·49·64 = 1,229,312; stage 1 at 7×7: 4·2·49·9·64² = 14,450,688;
    // stages 2–4 at 4×4, 2×2, 1×1 as for CIFAR: 51,118,080; head 1,044,000 → 67,842,080.
    const m = countFlops(resnet18(mnist, 10, 'reference'));
    assert.equal(sig4(m), '6.784e+7');
    assert.equal(m, 67_842_080);
    // EMNIST byclass: 62 classes, +2·1000·52 = 104,000 → 67,946,080.
    const e = countFlops(resnet18(mnist, 62, 'reference'));
    assert.equal(sig4(e), '6.795e+7');
    assert.equal(e, 67_946_080);
    // Animals10 300×300×3: stem 150² → 423,360,000; stage 1 at 75²: 1,658,880,000;
    // stage 2 at 38² and stage 3 at 19²: 1,537,802,240 each; stage 4 at 10²: 1,703,936,000;
    // head 1,044,000 → 6,862,824,480.
    const a = countFlops(resnet18({ height: 300, width: 300, channels: 3 }, 10, 'reference'));
    assert.equal(sig4(a), '6.863e+9');
    assert.equal(a, 6_862_824_480);
  });
});

/** Standard CIFAR ResNet with n blocks per stage, counted from the textbook formulas (projection shortcuts). */
function standardResNetCifar(n: number, classes: number, hw: number): { params: number; macs: number } {
  const widths = [16, 32, 64];
  let params = 3 * 9 * 16 + 2 * 16;
  let macs = hw * hw * 27 * 16;
  let prev = 16;
  let size = hw;
  widths.forEach((w, i) => {
    const out = i === 0 ? size : Math.ceil(size / 2);
    params += 9 * prev * w + 2 * w + (2 * n - 1) * (9 * w * w + 2 * w);
    macs += out * out * 9 * prev * w + (2 * n - 1) * out * out * 9 * w * w;
    if (prev !== w) {
      params += prev * w + 2 * w;
      macs += out * out * prev * w;
    }
    prev = w;
    size = out;
  });
  params += 64 * classes + classes;
  macs += 64 * classes;
  return { params, macs };
}

describe('cost: ResNet-20 (standard style)', () => {
  it('matches the textbook parameter and MAC counts (~0.27M params, ~41M MACs)', () => {
    const arch = resnet20(cifar, 10, 'standard');
    const expected = standardResNetCifar(3, 10, 32);
    assert.equal(countParams(arch), expected.params);
    assert.equal(expected.params, 272_474);
    assert.equal(countFlops(arch), 2 * expected.macs);
    assert.ok(Math.abs(expected.macs - 41e6) < 0.5e6, `MACs ${expected.macs}`);
  });

  it('reference style counts BN on conv inputs and biases instead', () => {
    const std = countParams(resnet20(cifar, 10, 'standard'));
    const ref = countParams(resnet20(cifar, 10, 'reference'));
    // Per conv the standard style has 2·C_out BN params, the reference style 2·C_in + C_out;
    // the shortcuts differ too (zero-pad + C×C conv with bias vs C_in×C_out conv + BN).
    assert.notEqual(std, ref);
    const rows = costBreakdown(resnet20(cifar, 10, 'reference'));
    const stem = rows.find((r) => r.id === 'stem')!;
    assert.equal(stem.params, 2 * 3 + 27 * 16 + 16);
    const proj = rows.find((r) => r.id === 's2b1.proj')!;
    assert.equal(proj.params, 32 * 32 + 32);
    assert.deepEqual(proj.outShape, [16, 16, 32]);
  });
});

describe('cost: breakdown', () => {
  it('sums to the totals and lists the classifier last', () => {
    const arch = emptyNet(cifar, 10, 'reference');
    const rows = costBreakdown(arch);
    assert.equal(rows[rows.length - 1].id, 'classifier');
    assert.equal(rows.reduce((s, r) => s + r.flops, 0), countFlops(arch));
    // stem 2·16·16·49·3·64 + dense 2·64·1000 + classifier 2·1000·10
    assert.equal(countFlops(arch), 4_816_896 + 128_000 + 20_000);
  });
  it("names each row's kind and block, and gives the same totals in one pass as the two counts", () => {
    const arch = resnet18(cifar, 10, 'reference');
    const rows = costBreakdown(arch);
    assert.deepEqual([...new Set(rows.map((r) => r.kind))], ['conv', 'pool', 'projection', 'dense', 'classifier']);
    assert.deepEqual(rows.filter((r) => r.kind === 'pool').map((r) => [r.id, r.params, r.flops]), [['maxpool', 0, 0], ['avgpool', 0, 0]]);
    assert.deepEqual(rows.find((r) => r.id === 's2b1.proj')?.blockId, 's2b1');
    assert.deepEqual(architectureCost(arch), { flops: countFlops(arch), params: countParams(arch) });
    assert.deepEqual(architectureCost(arch), { flops: 75_853_344, params: 11_873_544 });
  });
});
