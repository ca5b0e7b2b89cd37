/** An inserted block is drawn as added (new rows, new skip), not as a resize of its neighbours. */
import { strict as assert } from 'node:assert';
import type { Architecture } from '../../src/core/arch/types';
import { layoutSide, layoutStack, type StackBlock, type StackModel } from '../../webview/stack-layout';

function before(): Architecture {
  return {
    schemaVersion: 1,
    blockStyle: 'standard',
    input: { height: 16, width: 16, channels: 1 },
    numClasses: 10,
    layers: [
      { kind: 'conv', id: 'stem', width: 8, kernel: 3, stride: 1, origin: 'seed' },
      { kind: 'pool', id: 'pool1', pool: 'max', size: 2, stride: 2 },
      { kind: 'conv', id: 'a1', width: 8, kernel: 3, stride: 1, origin: 'seed' },
      { kind: 'conv', id: 'a2', width: 8, kernel: 3, stride: 1, origin: 'seed' },
      { kind: 'dense', id: 'fc', units: 10 },
    ],
    skips: [{ id: 'A', from: 'a1', to: 'a2' }],
  };
}

/** `before` with block r001 inserted after A. */
function after(): Architecture {
  const arch = before();
  arch.layers.splice(4, 0,
    { kind: 'conv', id: 'r001.conv1', width: 8, kernel: 3, stride: 1, origin: 'inserted', insertedAt: 1 },
    { kind: 'conv', id: 'r001.conv2', width: 8, kernel: 3, stride: 1, origin: 'inserted', insertedAt: 1 },
  );
  arch.skips.push({ id: 'r001', from: 'r001.conv1', to: 'r001.conv2' });
  return arch;
}

const blocks = (m: StackModel): StackBlock[] => m.sections.flatMap((s) => s.items).filter((i): i is StackBlock => i.kind === 'block');

describe('stack layout of an inserted block', () => {
  it('marks the new block and its convs as added and leaves the others unchanged', () => {
    const model = layoutStack(after(), before());
    assert.deepEqual(blocks(model).map((b) => [b.id, b.status]), [['A', 'same'], ['r001', 'added']]);
    const inserted = blocks(model)[1];
    assert.deepEqual(inserted.layers.map((l) => [l.layer.id, l.status, l.fromWidth]), [['r001.conv1', 'added', undefined], ['r001.conv2', 'added', undefined]]);
    assert.equal(model.blockCount, 2);
    assert.equal(model.sections.find((s) => s.kind === 'stage')!.blocks, 2);
  });

  it('shows the block as added in the right column of a comparison and absent from the left', () => {
    assert.deepEqual(blocks(layoutSide(after(), before(), 'right')).map((b) => `${b.id}:${b.status}`), ['A:same', 'r001:added']);
    assert.deepEqual(blocks(layoutSide(after(), before(), 'left')).map((b) => `${b.id}:${b.status}`), ['A:same', 'r001:removed']);
    assert.deepEqual(blocks(layoutSide(before(), after(), 'left')).map((b) => `${b.id}:${b.status}`), ['A:same']);
  });

  it('without a previous architecture nothing is marked', () => {
    assert.deepEqual(blocks(layoutStack(after())).map((b) => b.status), ['same', 'same']);
  });
});
