import assert from 'node:assert/strict';
import { inspectTable } from '../../../src/core/arch/inspect';
import { resnet18 } from '../../../src/core/arch/seeds';
import type { Architecture } from '../../../src/core/arch/types';

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
  it('writes the whole table: one stage per resolution, the head, kinds, aligned columns and the totals', () => {
    const arch: Architecture = {
      schemaVersion: 1,
      blockStyle: 'standard',
      input: { height: 8, width: 8, channels: 3 },
      numClasses: 10,
      layers: [
        { kind: 'conv', id: 'stem', width: 8, kernel: 3, stride: 1, origin: 'seed' },
        { kind: 'pool', id: 'mp', pool: 'max', size: 2, stride: 2 },
        { kind: 'conv', id: 'b1.c1', width: 16, kernel: 3, stride: 2, origin: 'seed' },
        { kind: 'conv', id: 'b1.c2', width: 16, kernel: 3, stride: 1, origin: 'inserted', insertedAt: 2 },
        { kind: 'dense', id: 'fc', units: 1000 },
      ],
      skips: [{ id: 'b1', from: 'b1.c1', to: 'b1.c2' }],
    };
    assert.equal(
      inspectTable(arch),
      [
        'block style: standard   input: 8×8×3   classes: 10',
        'depth: 5 weighted layers (convs, dense layers and the classifier)   blocks: 1',
        'parameters: 30,922 trainable   FLOPs: 108,320 (1.083e+5, MorphNet convention)',
        '',
        'stage    block  kind        id          k  s  width  output    params    FLOPs',
        '-------  -----  ----------  ----------  -  -  -----  --------  ------  -------',
        '1 (8×8)         conv        stem        3  1      8  8×8×8        232   27,648',
        '2 (4×4)         maxpool     mp          2  2         4×4×8          0        0',
        '3 (2×2)  b1     conv        b1.c1       3  2     16  2×2×16     1,184    9,216',
        '         b1     conv        b1.c2       3  1     16  2×2×16     2,336   18,432',
        '         b1     projection  b1.proj     1  2     16  2×2×16       160    1,024',
        'head            dense       fc                 1000  1×1×1000  17,000   32,000',
        '                classifier  classifier           10  1×1×10    10,010   20,000',
        '-------  -----  ----------  ----------  -  -  -----  --------  ------  -------',
        'total                                                          30,922  108,320',
        '',
      ].join('\n'),
    );
  });
});
