import assert from 'node:assert/strict';
import { ArchitectureError, resolveArchitecture, shortcutAdapter } from '../../../src/core/arch/resolve';
import type { Architecture } from '../../../src/core/arch/types';

describe('arch resolve: shortcut adapters', () => {
  it('pads the narrower side in the reference style (docs/algorithm.md, "Shortcuts between different shapes") and projects on a size change', () => {
    assert.deepEqual(shortcutAdapter('reference', [8, 8, 64], [8, 8, 32]), { padMain: 32, padShortcut: 0, projection: null });
    assert.deepEqual(shortcutAdapter('reference', [8, 8, 64], [4, 4, 128]), {
      padMain: 0,
      padShortcut: 64,
      projection: { stride: 2, inChannels: 128, outChannels: 128, withBatchNorm: false, withBias: true },
    });
    assert.deepEqual(shortcutAdapter('standard', [8, 8, 16], [8, 8, 16]).projection, null);
    assert.deepEqual(shortcutAdapter('standard', [8, 8, 16], [8, 8, 32]).projection, { stride: 1, inChannels: 16, outChannels: 32, withBatchNorm: true, withBias: false });
  });

  it('notices a size change on either axis of a non-square map', () => {
    const adapter = shortcutAdapter('reference', [1, 9, 4], [1, 5, 4]);
    assert.equal(adapter.projection?.stride, 2);
    const arch: Architecture = {
      schemaVersion: 1,
      blockStyle: 'standard',
      input: { height: 1, width: 16, channels: 1 },
      numClasses: 2,
      layers: [
        { kind: 'conv', id: 'a', width: 4, kernel: 3, stride: 2, origin: 'seed' },
        { kind: 'conv', id: 'b', width: 4, kernel: 3, stride: 1, origin: 'seed' },
      ],
      skips: [{ id: 's', from: 'a', to: 'b' }],
    };
    const resolved = resolveArchitecture(arch);
    assert.deepEqual(resolved.skips[0].outShape, [1, 8, 4]);
    assert.equal(resolved.skips[0].adapter.projection?.stride, 2);
  });
});

const conv = (id: string, width = 4, stride = 1): Architecture['layers'][number] => ({ kind: 'conv', id, width, kernel: 3, stride, origin: 'seed' });

function graph(layers: Architecture['layers'], skips: Architecture['skips'] = [], input = { height: 8, width: 8, channels: 1 }): Architecture {
  return { schemaVersion: 1, blockStyle: 'standard', input, numClasses: 2, layers, skips };
}

/** The ArchitectureError of a graph: its message and the id it is about. */
function graphError(arch: Architecture): { message: string; at?: string } {
  try {
    resolveArchitecture(arch);
  } catch (err) {
    assert.ok(err instanceof ArchitectureError, `expected ArchitectureError, got ${String(err)}`);
    return { message: err.message, at: err.at };
  }
  assert.fail('resolve should have failed');
}

describe('arch resolve: shapes', () => {
  it('pools a map smaller than the window to 1, and a 1-wide map with a window of 1', () => {
    const pool = (size: number, stride: number): Architecture['layers'][number] => ({ kind: 'pool', id: `p${size}${stride}`, pool: 'max', size, stride });
    const out = (input: { height: number; width: number }, size: number, stride: number) =>
      resolveArchitecture(graph([pool(size, stride)], [], { ...input, channels: 3 })).layers[0].outShape;
    assert.deepEqual(out({ height: 8, width: 8 }, 2, 2), [4, 4, 3]);
    assert.deepEqual(out({ height: 7, width: 7 }, 3, 2), [3, 3, 3]);
    assert.deepEqual(out({ height: 2, width: 3 }, 3, 1), [1, 1, 3]);
    assert.deepEqual(out({ height: 3, width: 3 }, 3, 1), [1, 1, 3]);
    assert.deepEqual(out({ height: 1, width: 5 }, 2, 1), [1, 4, 3]);
  });

  it('pools globally before the first dense layer only, and counts convs, dense layers and the classifier as depth', () => {
    const resolved = resolveArchitecture(graph([conv('a', 6), { kind: 'pool', id: 'p', pool: 'avg', size: 2, stride: 2 }, { kind: 'dense', id: 'd1', units: 5 }, { kind: 'dense', id: 'd2', units: 3 }]));
    assert.deepEqual(resolved.layers.map((l) => l.poolsGlobally), [false, false, true, false]);
    assert.deepEqual(resolved.layers[2].inShape, [1, 1, 6]);
    assert.deepEqual(resolved.layers[3].inShape, [1, 1, 5]);
    assert.deepEqual(resolved.headInShape, [1, 1, 3]);
    assert.equal(resolved.depth, 4);
    assert.deepEqual(resolveArchitecture(graph([conv('a', 6)])).headInShape, [1, 1, 6]);
  });

  it('marks the layers of a block and the layer its add follows', () => {
    const resolved = resolveArchitecture(graph([conv('a'), conv('b'), conv('c'), conv('d')], [{ id: 's', from: 'b', to: 'c' }]));
    assert.deepEqual(resolved.layers.map((l) => l.blockId), [undefined, 's', 's', undefined]);
    assert.deepEqual(resolved.layers.map((l) => l.endsBlock), [false, false, true, false]);
    assert.deepEqual(resolved.skips.map((s) => [s.fromIndex, s.toIndex]), [[1, 2]]);
  });
});

describe('arch resolve: graph errors name the layer or skip at fault', () => {
  it('refuses duplicate ids among layers, among skips, and between a skip and a layer', () => {
    assert.deepEqual(graphError(graph([conv('a'), conv('a')])), { message: 'Duplicate layer id "a".', at: 'a' });
    const twice = graphError(graph([conv('a'), conv('b')], [{ id: 's', from: 'a', to: 'a' }, { id: 's', from: 'b', to: 'b' }]));
    assert.deepEqual(twice, { message: 'Duplicate id "s" (skip ids must differ from every layer and skip id).', at: 's' });
    assert.equal(graphError(graph([conv('a'), conv('b')], [{ id: 'b', from: 'a', to: 'a' }])).at, 'b');
  });

  it('refuses a skip from or to an unknown layer, or ending before it starts', () => {
    assert.deepEqual(graphError(graph([conv('a')], [{ id: 's', from: 'x', to: 'a' }])), { message: 'Skip "s" starts at unknown layer "x".', at: 's' });
    assert.deepEqual(graphError(graph([conv('a')], [{ id: 's', from: 'a', to: 'y' }])), { message: 'Skip "s" ends at unknown layer "y".', at: 's' });
    assert.deepEqual(graphError(graph([conv('a'), conv('b')], [{ id: 's', from: 'b', to: 'a' }])), { message: 'Skip "s" ends ("a") before it starts ("b").', at: 's' });
  });

  it('refuses a block holding a pool, even as its last layer, and overlapping blocks', () => {
    const pool: Architecture['layers'][number] = { kind: 'pool', id: 'p', pool: 'max', size: 2, stride: 2 };
    assert.deepEqual(graphError(graph([conv('a'), pool], [{ id: 's', from: 'a', to: 'p' }])), {
      message: 'Skip "s" spans "p", a pool layer; a block may only contain conv layers.',
      at: 's',
    });
    const overlap = graphError(graph([conv('a'), conv('b'), conv('c')], [{ id: 's', from: 'a', to: 'b' }, { id: 't', from: 'b', to: 'c' }]));
    assert.deepEqual(overlap, { message: 'Skips "s" and "t" overlap at layer "b"; blocks must not overlap.', at: 't' });
  });

  it('refuses a conv after a dense layer', () => {
    assert.deepEqual(graphError(graph([{ kind: 'dense', id: 'd', units: 3 }, conv('a')])), { message: 'Layer "a" (conv) follows a dense layer; dense layers must come last.', at: 'a' });
  });
});
