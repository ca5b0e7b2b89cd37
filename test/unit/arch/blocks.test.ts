import assert from 'node:assert/strict';
import { insertBlockAfter, removeLayers, withWidths } from '../../../bench/lib/arch-edits';
import type { Architecture, ConvLayer } from '../../../src/core/arch/types';
import { resolveArchitecture, ArchitectureError } from '../../../src/core/arch/resolve';
import { emptyNet, resnet18, resnet20 } from '../../../src/core/arch/seeds';
import { countFlops } from '../../../src/core/arch/cost';

const cifar = { height: 32, width: 32, channels: 3 };

const convLayers = (arch: Architecture): ConvLayer[] => arch.layers.filter((l): l is ConvLayer => l.kind === 'conv');
const depthOf = (arch: Architecture): number => resolveArchitecture(arch).depth;

describe('arch seeds', () => {
  it('build the same graphs in both block styles, with seed origins and readable ids', () => {
    for (const make of [emptyNet, resnet18, resnet20]) {
      const ref = make(cifar, 10, 'reference');
      const std = make(cifar, 10, 'standard');
      assert.deepEqual(std.layers, ref.layers);
      assert.deepEqual(std.skips, ref.skips);
      assert.ok(convLayers(ref).every((c) => c.origin === 'seed'));
    }
    const r18 = resnet18(cifar, 10, 'reference');
    assert.deepEqual(r18.layers.map((l) => l.id).slice(0, 4), ['stem', 'maxpool', 's1b1.conv1', 's1b1.conv2']);
    assert.deepEqual(r18.layers.slice(-2).map((l) => l.id), ['avgpool', 'fc1000']);
    assert.equal(r18.skips.length, 8);
    // stride 2 exactly at the first conv of stages 2–4
    assert.deepEqual(convLayers(r18).filter((c) => c.stride === 2).map((c) => c.id), ['stem', 's2b1.conv1', 's3b1.conv1', 's4b1.conv1']);
    const r20 = resnet20(cifar, 10, 'standard');
    assert.equal(depthOf(r20), 20);
    assert.equal(depthOf(r18), 18 + 1); // 17 convs + Dense(1000) + classifier
    const resolved = resolveArchitecture(r20);
    assert.deepEqual(resolved.headInShape, [1, 1, 64]);
  });

  it('empty net is stem, max pool, avg pool, dense', () => {
    const e = emptyNet({ height: 28, width: 28, channels: 1 }, 10, 'standard');
    assert.deepEqual(e.layers.map((l) => l.kind), ['conv', 'pool', 'pool', 'dense']);
    assert.equal(e.skips.length, 0);
  });
});

describe('arch blocks helpers', () => {
  it('insertBlockAfter adds inserted convs and a skip without touching the input', () => {
    const base = emptyNet(cifar, 10, 'reference');
    const before = JSON.stringify(base);
    const grown = insertBlockAfter(base, 'maxpool', 'b0001', ['b0001.c1', 'b0001.c2'], 64, { insertedAt: 1 });
    assert.equal(JSON.stringify(base), before);
    assert.deepEqual(grown.layers.map((l) => l.id), ['stem', 'maxpool', 'b0001.c1', 'b0001.c2', 'avgpool', 'fc1000']);
    assert.deepEqual(grown.skips, [{ id: 'b0001', from: 'b0001.c1', to: 'b0001.c2' }]);
    const c1 = grown.layers[2];
    assert.ok(c1.kind === 'conv' && c1.origin === 'inserted' && c1.insertedAt === 1 && c1.width === 64 && c1.stride === 1);
    // 2 convs of 2·8·8·9·64·64 at the 8×8 map
    assert.equal(countFlops(grown) - countFlops(base), 2 * 2 * 8 * 8 * 9 * 64 * 64);
    assert.equal(depthOf(grown), depthOf(base) + 2);
  });

  it('insertBlockAfter refuses a position inside a block and duplicate ids', () => {
    const r20 = resnet20(cifar, 10, 'standard');
    assert.throws(() => insertBlockAfter(r20, 's1b1.conv1', 'x', ['x.c1'], 16), /inside block "s1b1"/);
    assert.throws(() => insertBlockAfter(r20, 's1b1.conv2', 'x', ['stem'], 16), ArchitectureError);
    assert.throws(() => insertBlockAfter(r20, 'nope', 'x', ['x.c1'], 16), /unknown layer "nope"/);
  });

  it('removeLayers deletes a block with its skip, and refuses to orphan a skip', () => {
    const r20 = resnet20(cifar, 10, 'standard');
    const shrunk = removeLayers(r20, ['s1b2.conv1', 's1b2.conv2'], ['s1b2']);
    assert.equal(depthOf(shrunk), 18);
    assert.ok(!shrunk.skips.some((s) => s.id === 's1b2'));
    assert.throws(() => removeLayers(r20, ['s1b2.conv2'], []), /skip "s1b2"/);
    assert.throws(() => removeLayers(r20, ['ghost'], []), /no such layer/);
  });

  it('withWidths changes conv widths and dense units and validates', () => {
    const r18 = resnet18(cifar, 10, 'reference');
    const narrow = withWidths(r18, new Map([['s1b1.conv1', 7], ['fc1000', 100]]));
    const c = narrow.layers.find((l) => l.id === 's1b1.conv1');
    const d = narrow.layers.find((l) => l.id === 'fc1000');
    assert.ok(c?.kind === 'conv' && c.width === 7);
    assert.ok(d?.kind === 'dense' && d.units === 100);
    assert.throws(() => withWidths(r18, new Map([['s1b1.conv1', 0]])), /≥ 1/);
    assert.throws(() => withWidths(r18, new Map([['maxpool', 3]])), /pool layer/);
  });
});
