import { strict as assert } from 'node:assert';
import type { Architecture } from '../../src/core/arch/types';
import { diffArchitectures, mergeLayers, summarizeDiff } from '../../webview/compare';
import { startArchitecture } from '../../bench/lib/synthetic-run';

function withBlock(arch: Architecture, id: string, after: string, width: number): Architecture {
  const copy: Architecture = JSON.parse(JSON.stringify(arch));
  const at = copy.layers.findIndex((l) => l.id === after);
  copy.layers.splice(at + 1, 0, { kind: 'conv', id: `${id}.a`, width, kernel: 3, stride: 1, origin: 'inserted', insertedAt: 1 }, { kind: 'conv', id: `${id}.b`, width, kernel: 3, stride: 1, origin: 'inserted', insertedAt: 1 });
  copy.skips.push({ id, from: `${id}.a`, to: `${id}.b` });
  return copy;
}

describe('architecture diff (webview/compare)', () => {
  it('reports nothing for identical architectures', () => {
    const arch = withBlock(startArchitecture(), 'r001', 'pool1', 32);
    const diff = diffArchitectures(arch, JSON.parse(JSON.stringify(arch)));
    assert.equal(diff.identical, true);
    assert.equal(summarizeDiff(diff), 'no differences');
    assert.ok(mergeLayers(arch, arch).every((row) => row.status === 'same'));
  });

  it('finds added and removed blocks and resized layers by id', () => {
    const before = withBlock(withBlock(startArchitecture(), 'r001', 'pool1', 32), 'r002', 'r001.b', 32);
    let after = withBlock(startArchitecture(), 'r001', 'pool1', 32);
    after = withBlock(after, 'r003', 'stem', 32);
    const stem = after.layers[0];
    assert.equal(stem.kind, 'conv');
    stem.width = 40;
    const r001b = after.layers.find((l) => l.id === 'r001.b')!;
    assert.equal(r001b.kind, 'conv');
    r001b.width = 24;

    const diff = diffArchitectures(before, after);
    assert.deepEqual(diff.addedBlocks, [{ id: 'r003', layerIds: ['r003.a', 'r003.b'], widths: [32, 32] }]);
    assert.deepEqual(diff.removedBlocks.map((b) => b.id), ['r002']);
    assert.deepEqual(diff.addedLayers.map((l) => [l.id, l.blockId]), [['r003.a', 'r003'], ['r003.b', 'r003']]);
    assert.deepEqual(diff.removedLayers.map((l) => l.id), ['r002.a', 'r002.b']);
    assert.deepEqual(diff.resizedLayers, [
      { id: 'stem', kind: 'conv', from: 32, to: 40 },
      { id: 'r001.b', kind: 'conv', from: 32, to: 24, blockId: 'r001' },
    ]);
    assert.equal(diff.identical, false);
    assert.equal(summarizeDiff(diff), '+1 block, −1 block, 2 layers resized');
  });

  it('merges both layer lists, keeping removed layers where they were', () => {
    const before = withBlock(withBlock(startArchitecture(), 'r001', 'pool1', 32), 'r002', 'r001.b', 32);
    const after = withBlock(startArchitecture(), 'r003', 'pool1', 16);
    const rows = mergeLayers(before, after);
    assert.deepEqual(
      rows.map((r) => `${r.layer.id}:${r.status}`),
      // What was there comes first, then what replaced it.
      ['stem:same', 'pool1:same', 'r001.a:removed', 'r001.b:removed', 'r002.a:removed', 'r002.b:removed', 'r003.a:added', 'r003.b:added', 'pool2:same', 'fc:same'],
    );
    assert.deepEqual(rows.filter((r) => r.status === 'removed').map((r) => r.blockId), ['r001', 'r001', 'r002', 'r002']);
    const resized = mergeLayers(startArchitecture(), { ...startArchitecture(), layers: startArchitecture().layers.map((l) => (l.kind === 'dense' ? { ...l, units: 64 } : l)) });
    assert.deepEqual(resized.filter((r) => r.status === 'resized').map((r) => [r.layer.id, r.fromWidth]), [['fc', 128]]);
  });

  it('reports changed kernels, strides and other non-layer differences', () => {
    const before = startArchitecture();
    const after: Architecture = JSON.parse(JSON.stringify(before));
    after.numClasses = 62;
    const stem = after.layers[0];
    assert.equal(stem.kind, 'conv');
    stem.kernel = 3;
    const diff = diffArchitectures(before, after);
    assert.deepEqual(diff.changedLayers, [{ id: 'stem', description: '7×7/2 conv → 3×3/2 conv' }]);
    assert.deepEqual(diff.notes, ['classes 10 → 62']);
    assert.equal(diff.resizedLayers.length, 0);
  });
});
