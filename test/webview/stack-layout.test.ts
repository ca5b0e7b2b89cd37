import { strict as assert } from 'node:assert';
import type { Architecture } from '../../src/core/arch/types';
import { layoutSide, layoutStack, type StackItem, type StackModel } from '../../webview/stack-layout';
import { startArchitecture } from '../../bench/lib/synthetic-run';

function resnetLike(): Architecture {
  return {
    schemaVersion: 1,
    blockStyle: 'reference',
    input: { height: 32, width: 32, channels: 3 },
    numClasses: 10,
    layers: [
      { kind: 'conv', id: 'stem', width: 16, kernel: 7, stride: 2, origin: 'seed' },
      { kind: 'pool', id: 'pool1', pool: 'max', size: 2, stride: 2 },
      { kind: 'conv', id: 'a1', width: 16, kernel: 3, stride: 1, origin: 'seed' },
      { kind: 'conv', id: 'a2', width: 16, kernel: 3, stride: 1, origin: 'seed' },
      { kind: 'conv', id: 'b1', width: 32, kernel: 3, stride: 2, origin: 'seed' },
      { kind: 'conv', id: 'b2', width: 32, kernel: 3, stride: 1, origin: 'seed' },
      { kind: 'pool', id: 'pool2', pool: 'avg', size: 2, stride: 2 },
      { kind: 'dense', id: 'fc', units: 100 },
    ],
    skips: [
      { id: 'A', from: 'a1', to: 'a2' },
      { id: 'B', from: 'b1', to: 'b2' },
    ],
  };
}

const ids = (items: StackItem[]): string[] => items.map((i) => (i.kind === 'block' ? `[${i.id}]` : i.layer.id));
const sections = (m: StackModel): string[] => m.sections.map((s) => `${s.title}${s.resolution ? ` ${s.resolution}` : ''}: ${ids(s.items).join(' ')}`);

describe('stack layout (webview/stack-layout)', () => {
  it('splits a network into stem, stages by resolution, and head', () => {
    const model = layoutStack(resnetLike());
    // A and B are one stage for the search (the one its pool opens), at two resolutions.
    assert.deepEqual(sections(model), ['Stem 16×16: stem pool1', 'Stage 2 8×8: [A]', 'Stage 2 4×4: [B]', 'Head: pool2 fc']);
    assert.equal(model.blockCount, 2);
    assert.equal(model.maxConvWidth, 32);
    assert.equal(model.maxDenseUnits, 100);
    const b = model.sections[2].items[0];
    assert.ok(b.kind === 'block');
    assert.equal(b.shortcut, '1×1/2 projection');
    assert.deepEqual(b.outShape, [4, 4, 32]);
  });

  it('shows an empty start net as stem and head only', () => {
    const model = layoutStack(startArchitecture());
    assert.deepEqual(sections(model), ['Stem 14×14: stem pool1', 'Head: pool2 fc']);
  });

  it('marks what changed against the previous architecture, keeping removed blocks in place', () => {
    const before = resnetLike();
    const after: Architecture = JSON.parse(JSON.stringify(before));
    after.layers = after.layers.filter((l) => l.id !== 'a1' && l.id !== 'a2');
    after.skips = after.skips.filter((s) => s.id !== 'A');
    const b2 = after.layers.find((l) => l.id === 'b2')!;
    assert.equal(b2.kind, 'conv');
    b2.width = 24;
    const model = layoutStack(after, before);
    const blocks = model.sections.flatMap((s) => s.items).filter((i) => i.kind === 'block');
    assert.deepEqual(blocks.map((b) => [b.id, b.status]), [['A', 'removed'], ['B', 'resized']]);
    const b2row = blocks[1].kind === 'block' ? blocks[1].layers[1] : undefined;
    assert.equal(b2row?.width, 24);
    assert.equal(b2row?.fromWidth, 32);
    assert.equal(model.blockCount, 1);
  });

  it('lays out each side of a comparison with only its own layers', () => {
    const left = resnetLike();
    const right: Architecture = JSON.parse(JSON.stringify(left));
    right.layers = right.layers.filter((l) => l.id !== 'a1' && l.id !== 'a2');
    right.skips = right.skips.filter((s) => s.id !== 'A');
    const b2 = right.layers.find((x) => x.id === 'b2')!;
    assert.equal(b2.kind, 'conv');
    b2.width = 20;
    const l = layoutSide(left, right, 'left');
    const r = layoutSide(right, left, 'right');
    const blocks = (m: StackModel): string[] => m.sections.flatMap((s) => s.items).filter((i) => i.kind === 'block').map((b) => `${b.kind === 'block' ? b.id : ''}:${b.status}`);
    assert.deepEqual(blocks(l), ['A:removed', 'B:resized']);
    assert.deepEqual(blocks(r), ['B:resized']);
    const row = (m: StackModel, id: string) => m.sections.flatMap((s) => s.items).flatMap((i) => (i.kind === 'block' ? i.layers : [i])).find((x) => x.layer.id === id)!;
    assert.deepEqual([row(l, 'b2').width, row(l, 'b2').fromWidth], [32, undefined]);
    assert.deepEqual([row(r, 'b2').width, row(r, 'b2').fromWidth], [20, 32]);
    // The left column holds block A, so its stage counts it; the merged view shows it as a ghost.
    assert.equal(l.sections.find((s) => s.title === 'Stage 2')!.blocks, 1);
    assert.equal(layoutStack(right, left).sections.find((s) => s.title === 'Stage 2')!.blocks, 0);
  });

  it('numbers stages as the search does, so a block keeps its stage number when another is inserted before it', () => {
    const before = resnetLike();
    const stageOfBlock = (m: StackModel, id: string): string => m.sections.find((sec) => sec.items.some((i) => i.kind === 'block' && i.id === id))!.title;
    assert.equal(stageOfBlock(layoutStack(before), 'A'), 'Stage 2');
    // A block after the stem, before the pool: the search's stage 1 ("stage 1 of 3" in its decision).
    const after: Architecture = JSON.parse(JSON.stringify(before));
    after.layers.splice(1, 0, { kind: 'conv', id: 'x1', width: 16, kernel: 3, stride: 1, origin: 'inserted', insertedAt: 0 }, { kind: 'conv', id: 'x2', width: 16, kernel: 3, stride: 1, origin: 'inserted', insertedAt: 0 });
    after.skips.push({ id: 'X', from: 'x1', to: 'x2' });
    const model = layoutStack(after, before);
    assert.equal(stageOfBlock(model, 'X'), 'Stage 1');
    assert.equal(stageOfBlock(model, 'A'), 'Stage 2');
    assert.equal(stageOfBlock(model, 'B'), 'Stage 2');
  });
});
