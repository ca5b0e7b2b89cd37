/**
 * How the stack view cuts a network into stem, stages and head, and what each block and section
 * carries: shortcut labels, the shape after the add, bar scales and the input shape.
 */
import { strict as assert } from 'node:assert';
import type { Architecture, Layer } from '../../src/core/arch/types';
import { layoutStack, type StackItem, type StackModel } from '../../webview/stack-layout';

const conv = (id: string, width: number): Layer => ({ kind: 'conv', id, width, kernel: 3, stride: 1, origin: 'seed' });
const pool = (id: string, size = 2, stride = 2): Layer => ({ kind: 'pool', id, pool: 'max', size, stride });
const dense = (id: string, units: number): Layer => ({ kind: 'dense', id, units });

function arch(layers: Layer[], skips: [string, string, string][]): Architecture {
  return {
    schemaVersion: 1,
    blockStyle: 'reference',
    input: { height: 8, width: 8, channels: 1 },
    numClasses: 10,
    layers,
    skips: skips.map(([id, from, to]) => ({ id, from, to })),
  };
}

const label = (i: StackItem): string => (i.kind === 'block' ? `[${i.id}]` : i.layer.id);
const sections = (m: StackModel): string[] =>
  m.sections.map((s) => `${s.kind} "${s.title}"${s.resolution ? ` ${s.resolution}` : ''} (${s.blocks}): ${s.items.map(label).join(' ')}`);

describe('stack layout sections and blocks', () => {
  it('labels zero-padded shortcuts and takes a block\'s shape after the add', () => {
    // Reference style pads the narrower side with zero channels: A widens 8 → 16, B narrows 16 → 8.
    const model = layoutStack(arch([conv('stem', 8), conv('a1', 16), conv('a2', 16), conv('b1', 16), conv('b2', 8), dense('fc1', 200), dense('fc', 10)], [['A', 'a1', 'a2'], ['B', 'b1', 'b2']]));
    const blocks = model.sections.flatMap((s) => s.items).filter((i) => i.kind === 'block');
    assert.deepEqual(blocks.map((b) => b.kind === 'block' && [b.id, b.shortcut, b.outShape]), [
      ['A', 'shortcut zero-padded +8', [8, 8, 16]],
      ['B', 'output zero-padded +8', [8, 8, 16]],
    ]);
    // B's last conv has 8 channels; the add leaves 16.
    assert.deepEqual(blocks[1].kind === 'block' && blocks[1].layers[1].outShape, [8, 8, 8]);
    assert.deepEqual(sections(model), ['stem "Stem" 8×8 (0): stem', 'stage "Stage 1" 8×8 (2): [A] [B]', 'head "Head" (0): fc1 fc']);
    assert.equal(model.maxDenseUnits, 200);
    assert.equal(model.maxConvWidth, 16);
    assert.deepEqual(model.input, [8, 8, 1]);
    assert.equal(model.numClasses, 10);
  });

  it('draws an identity shortcut without a label', () => {
    const model = layoutStack(arch([conv('stem', 8), conv('a1', 8), conv('a2', 8), dense('fc', 10)], [['A', 'a1', 'a2']]));
    const block = model.sections[1].items[0];
    assert.ok(block.kind === 'block');
    assert.equal(block.shortcut, '');
  });

  it('has no stem when a block comes first, and starts a stage after each pool', () => {
    const model = layoutStack(arch([conv('a1', 8), conv('a2', 8), pool('p'), conv('b1', 8), conv('b2', 8), dense('fc', 10)], [['A', 'a1', 'a2'], ['B', 'b1', 'b2']]));
    assert.deepEqual(sections(model), ['stage "Stage 1" 8×8 (1): [A] p', 'stage "Stage 2" 4×4 (1): [B]', 'head "Head" (0): fc']);
  });

  it('ends the stem at the first pool, or at the classifier when there is none', () => {
    assert.deepEqual(sections(layoutStack(arch([conv('stem', 8), dense('fc', 10)], []))), ['stem "Stem" 8×8 (0): stem', 'head "Head" (0): fc']);
    assert.deepEqual(sections(layoutStack(arch([conv('stem', 8), conv('x', 8), pool('p'), conv('y', 8), dense('fc', 10)], []))), [
      'stem "Stem" 8×8 (0): stem x p',
      'stage "Stage 2" 4×4 (0): y',
      'head "Head" (0): fc',
    ]);
  });

  it('starts a new stage after a pool even when the resolution stays the same', () => {
    const model = layoutStack(arch([conv('stem', 8), pool('p1'), conv('x', 8), pool('p2', 1, 1), conv('y', 8), dense('fc', 10)], []));
    assert.deepEqual(sections(model), ['stem "Stem" 8×8 (0): stem p1', 'stage "Stage 2" 4×4 (0): x p2', 'stage "Stage 3" 4×4 (0): y', 'head "Head" (0): fc']);
  });

  it('scales the dense bars by the widest dense layer, old widths included', () => {
    const before = arch([conv('stem', 64), dense('fc1', 50), dense('fc', 10)], []);
    const after = arch([conv('stem', 32), dense('fc1', 40), dense('fc', 10)], []);
    const model = layoutStack(after, before);
    assert.equal(model.maxDenseUnits, 50, 'dense bars: the old fc1 width, not the conv widths');
    assert.equal(model.maxConvWidth, 64, 'the old stem width still sets the conv scale');
  });
});
