import assert from 'node:assert/strict';
import { inspectTable } from '../../../src/core/arch/inspect';
import { resnet18 } from '../../../src/core/arch/seeds';

describe('arch inspect', () => {
  it('lists stages, blocks, layers and the totals of cost.ts', () => {
    const text = inspectTable(resnet18({ height: 32, width: 32, channels: 3 }, 10, 'reference'));
    const lines = text.split('\n');
    assert.match(text, /depth: 19 weighted layers/);
    assert.match(text, /parameters: 11,873,544 trainable/);
    assert.match(text, /FLOPs: 75,853,344/);
    const row = (id: string): string[] => lines.find((l) => l.split(/\s+/).includes(id))!.trim().split(/\s+/);
    // stem: stage 1 at 16×16, kernel 7, stride 2, 64 channels
    assert.deepEqual(row('stem'), ['1', '(16×16)', 'conv', 'stem', '7', '2', '64', '16×16×64', '9,478', '4,816,896']);
    assert.deepEqual(row('s2b1.proj').slice(0, 6), ['s2b1', 'projection', 's2b1.proj', '1', '2', '128']);
    assert.ok(lines.some((l) => l.startsWith('head')));
    assert.match(lines.find((l) => l.startsWith('total'))!, /11,873,544\s+75,853,344$/);
  });
});
