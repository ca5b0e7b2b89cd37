/**
 * The export graph without TF.js (fast, so the mutation run's core scope runs it): the operation
 * list, followed op by op in NCHW, is a well-formed network whose every output has the shape the
 * architecture resolves to; every weight has one TF.js and one PyTorch name and its layout; and the
 * module tree the PyTorch writer turns into code. graph.test.ts checks the same against TF.js.
 */
import assert from 'node:assert/strict';
import { ArchitectureError, resolveArchitecture } from '../../../src/core/arch/resolve';
import type { Architecture, BlockStyle } from '../../../src/core/arch/types';
import { exportGraph, pythonKey, samePadding, type ExportGraph, type ExportParam } from '../../../src/core/export/graph';
import { exportedValues, exportedWeights, ExportWeightsError, transpose } from '../../../src/core/export/weights';
import { emptyNet, resnet20 } from '../../../src/core/arch/seeds';
import { conv, net } from '../search/fixtures';
import { everyLayerKind, MNIST } from './arch-cases';

type Chw = [number, number, number];

/** Follows the ops in order and returns every output's NCHW shape (without the batch); fails on a malformed op. */
function shapesOf(g: ExportGraph): Map<string, Chw> {
  const shapes = new Map<string, Chw>([[g.input, g.inputShape]]);
  const get = (name: string): Chw => {
    const s = shapes.get(name);
    assert.ok(s, `"${name}" is used before an op makes it`);
    return s;
  };
  const param = (p: ExportParam, tfShape: number[], shape: number[]) => {
    assert.deepEqual(p.tfShape, tfShape, p.tfName);
    assert.deepEqual(p.shape, shape, p.torchName);
  };
  for (const op of g.ops) {
    assert.ok(!shapes.has(op.output), `"${op.output}" is made twice`);
    let out: Chw;
    switch (op.op) {
      case 'conv': {
        const [c, h, w] = get(op.input);
        assert.equal(op.inChannels, c, op.output);
        const [top, left, bottom, right] = op.pads;
        out = [op.outChannels, Math.floor((h + top + bottom - op.kernel) / op.stride) + 1, Math.floor((w + left + right - op.kernel) / op.stride) + 1];
        param(op.weight, [op.kernel, op.kernel, c, op.outChannels], [op.outChannels, c, op.kernel, op.kernel]);
        assert.deepEqual(op.weight.perm, [3, 2, 0, 1]);
        if (op.bias) param(op.bias, [op.outChannels], [op.outChannels]);
        break;
      }
      case 'batchNorm': {
        out = get(op.input);
        assert.equal(op.channels, out[0], op.output);
        for (const p of [op.params.scale, op.params.bias, op.params.mean, op.params.variance]) param(p, [op.channels], [op.channels]);
        assert.deepEqual([op.params.scale, op.params.bias, op.params.mean, op.params.variance].map((p) => p.buffer), [false, false, true, true]);
        break;
      }
      case 'relu':
        out = get(op.input);
        break;
      case 'add': {
        const [a, b] = op.inputs.map(get);
        assert.deepEqual(a, b, `${op.output}: the two sides of the add differ`);
        out = a;
        break;
      }
      case 'padChannels': {
        const [c, h, w] = get(op.input);
        assert.ok(op.extra > 0, op.output);
        out = [c + op.extra, h, w];
        break;
      }
      case 'pool': {
        const [c, h, w] = get(op.input);
        out = [c, Math.floor((h - op.kernel[0]) / op.stride) + 1, Math.floor((w - op.kernel[1]) / op.stride) + 1];
        break;
      }
      case 'globalAveragePool':
        out = [get(op.input)[0], 1, 1];
        break;
      case 'dense': {
        const [c, h, w] = get(op.input);
        assert.deepEqual([h, w], [1, 1], `${op.output} takes a pooled vector`);
        assert.equal(op.inFeatures, c, op.output);
        param(op.weight, [op.inFeatures, op.outFeatures], [op.outFeatures, op.inFeatures]);
        assert.deepEqual(op.weight.perm, [1, 0]);
        param(op.bias, [op.outFeatures], [op.outFeatures]);
        out = [op.outFeatures, 1, 1];
        break;
      }
      case 'softmax':
        out = get(op.input);
        break;
    }
    shapes.set(op.output, out);
  }
  return shapes;
}

/** NCHW shape of each layer's TF.js output, from the architecture's own resolution. */
function resolvedShapes(arch: Architecture): Map<string, Chw> {
  return new Map(resolveArchitecture(arch).layers.map((r) => [r.layer.id, [r.outShape[2], r.outShape[0], r.outShape[1]] as Chw]));
}

const cases = (style: BlockStyle): [string, Architecture][] => [
  ['every layer kind', everyLayerKind(style)],
  ['ResNet-20', resnet20(MNIST, 10, style)],
  ['empty start', emptyNet(MNIST, 10, style)],
];

describe('export graph: the operations', () => {
  for (const style of ['reference', 'standard'] as const) {
    for (const [name, arch] of cases(style)) {
      it(`${style}, ${name}: every layer's output has the resolved shape, and the network ends in the class probabilities`, () => {
        const g = exportGraph(arch);
        const shapes = shapesOf(g);
        const resolved = resolvedShapes(arch);
        // The last op of each layer (its ReLU, BN or the layer itself) gives the layer's output.
        const lastOfLayer = new Map<string, string>();
        for (const op of g.ops) if (resolved.has(op.id) && op.op !== 'add' && op.op !== 'padChannels') lastOfLayer.set(op.id, op.output);
        for (const [id, shape] of resolved) {
          const out = lastOfLayer.get(id);
          assert.ok(out, `no op for layer "${id}"`);
          assert.deepEqual(shapes.get(out), shape, `layer "${id}"`);
        }
        assert.ok(g.ops[0].op !== 'add' && g.ops[0].input === 'input', 'the first op reads the network input');
        assert.equal(g.output, 'probabilities');
        assert.equal(g.input, 'input');
        assert.deepEqual(g.inputShape, [1, 28, 28]);
        assert.equal(g.numClasses, 10);
        assert.equal(g.style, style);
        const last = g.ops[g.ops.length - 1];
        assert.deepEqual({ op: last.op, output: last.output }, { op: 'softmax', output: 'probabilities' });
        assert.equal(last.op === 'softmax' && last.input, g.logits);
        assert.equal(g.logits, 'logits');
        assert.deepEqual(shapes.get(g.output), [10, 1, 1]);
        // Every weight is listed once, in the order the ops use it.
        const used = g.ops.flatMap((op) => {
          if (op.op === 'conv') return op.bias ? [op.weight, op.bias] : [op.weight];
          if (op.op === 'batchNorm') return [op.params.scale, op.params.bias, op.params.mean, op.params.variance];
          if (op.op === 'dense') return [op.weight, op.bias];
          return [];
        });
        assert.deepEqual(used, g.params);
      });
    }
  }

  it('orders a reference-style conv as BN, conv with bias, ReLU, and a standard one as conv without bias, BN, ReLU (none before the add)', () => {
    const ops = (style: BlockStyle, id: string) => exportGraph(everyLayerKind(style)).ops.filter((op) => op.id === id).map((op) => (op.op === 'conv' ? `conv${op.bias ? '+bias' : ''}` : op.op));
    assert.deepEqual(ops('reference', 'mid'), ['batchNorm', 'conv+bias', 'relu']);
    assert.deepEqual(ops('standard', 'mid'), ['conv', 'batchNorm', 'relu']);
    assert.deepEqual(ops('standard', 'a.c1'), ['conv', 'batchNorm', 'relu']);
    assert.deepEqual(ops('standard', 'a.c2'), ['conv', 'batchNorm']);
    assert.deepEqual(ops('reference', 'a.c2'), ['batchNorm', 'conv+bias', 'relu']);
  });

  it('adapts a shortcut by zero channels and a strided 1×1 conv with bias (reference), or a 1×1 conv and BN (standard), then adds', () => {
    const skipOps = (style: BlockStyle, id: string) => exportGraph(everyLayerKind(style)).ops.filter((op) => op.id === id);
    // Reference: `a` narrows 8 → 6 channels at stride 2, so the main path is padded to 8 and the shortcut strided.
    const a = skipOps('reference', 'a');
    assert.deepEqual(a.map((op) => op.op), ['padChannels', 'conv', 'add']);
    assert.deepEqual(a.map((op) => op.output), ['a_padmain', 'a_proj', 'a_add']);
    const proj = a[1];
    assert.ok(proj.op === 'conv');
    assert.deepEqual([proj.kernel, proj.stride, proj.pads, proj.inChannels, proj.outChannels, proj.bias?.torchName], [1, 2, [0, 0, 0, 0], 8, 8, 'stage0.a.projection.bias']);
    // `b` widens 6 → 10 on the same size: the shortcut is padded, nothing else.
    assert.deepEqual(skipOps('reference', 'b').map((op) => (op.op === 'padChannels' ? `${op.output}+${op.extra}` : op.op)), ['b_padshortcut+2', 'add']);
    // Standard: a projection with BN, and a ReLU after the add.
    const s = skipOps('standard', 'a');
    assert.deepEqual(s.map((op) => op.op), ['conv', 'batchNorm', 'add', 'relu']);
    assert.deepEqual(s.map((op) => op.output), ['a_proj', 'a_projbn', 'a_add', 'a_relu']);
    assert.ok(s[0].op === 'conv' && s[0].bias === null);
    assert.ok(s[1].op === 'batchNorm' && s[1].params.torchModule === 'stage0.a.projection.1');
    assert.ok(s[0].op === 'conv' && s[0].weight.torchName === 'stage0.a.projection.0.weight');
  });

  it("pads strided convs as TF's 'same' (the odd pixel after) and pools without padding", () => {
    const g = exportGraph(everyLayerKind('reference'));
    const convOf = (id: string) => {
      const op = g.ops.find((o) => o.op === 'conv' && o.id === id);
      assert.ok(op?.op === 'conv', id);
      return op;
    };
    assert.deepEqual([convOf('stem').pads, convOf('stem').kernel, convOf('stem').stride], [[2, 2, 3, 3], 7, 2]);
    assert.deepEqual(convOf('a.c1').pads, [0, 0, 1, 1]);
    assert.deepEqual(convOf('mid').pads, [2, 2, 2, 2]);
    // The max pool on a 1×1 map pools that one pixel.
    const tiny = g.ops.find((op) => op.id === 'tiny');
    assert.ok(tiny?.op === 'pool');
    assert.deepEqual([tiny.pool, tiny.kernel, tiny.stride], ['max', [1, 1], 2]);
    assert.equal(tiny.output, 'tiny');
    const avg = g.ops.find((op) => op.id === 'avgpool');
    assert.ok(avg?.op === 'pool');
    assert.deepEqual([avg.pool, avg.kernel], ['avg', [2, 2]]);
  });

  it('pools globally once, before the first dense layer, or before the classifier when there is none', () => {
    const gaps = (g: ExportGraph) => g.ops.filter((op) => op.op === 'globalAveragePool').map((op) => op.output);
    assert.deepEqual(gaps(exportGraph(everyLayerKind('standard'))), ['fc_gap']);
    const withoutDense = exportGraph(resnet20(MNIST, 10, 'standard'));
    assert.deepEqual(gaps(withoutDense), ['classifier_gap']);
    const classifier = withoutDense.ops.find((op) => op.op === 'dense');
    assert.ok(classifier?.op === 'dense');
    assert.deepEqual([classifier.id, classifier.inFeatures, classifier.outFeatures, classifier.relu, classifier.weight.tfName], ['classifier', 64, 10, false, 'classifier/kernel']);
    const hidden = exportGraph(everyLayerKind('standard')).ops.filter((op) => op.op === 'dense');
    assert.deepEqual(hidden.map((op) => op.op === 'dense' && [op.output, op.relu, op.inFeatures, op.outFeatures]), [['fc', true, 12, 16], ['logits', false, 16, 10]]);
  });

  it('chains hidden dense layers on the features of the previous one', () => {
    const arch = net([conv('c', 4, { stride: 2 }), { kind: 'dense', id: 'h1', units: 7 }, { kind: 'dense', id: 'h2', units: 5 }], { input: [8, 8, 1], classes: 3 });
    const g = exportGraph(arch);
    shapesOf(g);
    assert.deepEqual(g.hidden, [{ id: 'h1', units: 7 }, { id: 'h2', units: 5 }]);
    assert.deepEqual(g.ops.filter((op) => op.op === 'dense').map((op) => op.op === 'dense' && [op.inFeatures, op.outFeatures, op.weight.torchName]), [
      [4, 7, 'head.hidden.0.weight'], [7, 5, 'head.hidden.1.weight'], [5, 3, 'head.classifier.weight'],
    ]);
    assert.deepEqual(g.ops.filter((op) => op.op === 'globalAveragePool').length, 1);
  });
});

describe('export graph: names and modules', () => {
  it('gives each weight its TF.js name and its PyTorch state-dict name', () => {
    const names = (style: BlockStyle) => exportGraph(everyLayerKind(style)).params.map((p) => `${p.tfName} ${p.torchName}`);
    const reference = names('reference');
    for (const pair of [
      'stem_bn/gamma stage0.stem.bn.weight', 'stem_bn/beta stage0.stem.bn.bias', 'stem_bn/moving_mean stage0.stem.bn.running_mean',
      'stem_bn/moving_variance stage0.stem.bn.running_var', 'stem/kernel stage0.stem.conv.weight', 'stem/bias stage0.stem.conv.bias',
      'a.c1/kernel stage0.a.layers.0.conv.weight', 'a.c2/kernel stage0.a.layers.1.conv.weight', 'a_proj/kernel stage0.a.projection.weight',
      'c.c1/kernel stage1.c.layers.0.conv.weight', 'fc/kernel head.hidden.0.weight', 'classifier/bias head.classifier.bias',
    ]) assert.ok(reference.includes(pair), pair);
    const standard = names('standard');
    for (const pair of ['mid_bn/gamma stage0.mid.bn.weight', 'a.c2_bn/beta stage0.a.layers.1.bn.bias', 'a_projbn/moving_variance stage0.a.projection.1.running_var', 'a_proj/kernel stage0.a.projection.0.weight', 'mid/kernel stage0.mid.conv.weight']) {
      assert.ok(standard.includes(pair), pair);
    }
    assert.ok(!standard.some((n) => n.startsWith('stem/bias')));
  });

  it('describes the stages, blocks and single layers the PyTorch module is made of', () => {
    const g = exportGraph(everyLayerKind('reference'));
    const tree = g.stages.map((s) => [s.key, s.inShape, s.items.map((item) => (item.kind === 'block' ? `${item.key}[${item.convs.map((c) => c.id).join(',')}]/${item.shortcutStride}` : item.kind === 'conv' ? `${item.key}:${item.conv.width}x${item.conv.kernel}/${item.conv.stride}` : `${item.key}:${item.pool}${item.size}/${item.stride}`))]);
    assert.deepEqual(tree, [
      ['stage0', [28, 28, 1], ['stem:8x7/2', 'a[a.c1,a.c2]/2', 'b[b.c1]/1', 'mid:9x5/1']],
      ['stage1', [7, 7, 9], ['maxpool:max2/2', 'c[c.c1,c.c2]/2']],
      ['stage2', [2, 2, 12], ['avgpool:avg2/2']],
      ['stage3', [1, 1, 12], ['tiny:max2/2']],
    ]);
    assert.deepEqual(g.hidden, [{ id: 'fc', units: 16 }]);
    assert.deepEqual(g.stages.flatMap((s) => s.items.map((i) => i.kind)), ['conv', 'block', 'block', 'conv', 'pool', 'block', 'pool', 'pool']);
  });

  it('makes module keys Python identifiers, distinct even when two ids map to the same one', () => {
    assert.equal(pythonKey('s1.b-2'), 's1_b_2');
    assert.equal(pythonKey('1a'), '_1a');
    assert.equal(pythonKey('a1'), 'a1');
    const g = exportGraph(net([conv('x.y', 4), conv('x_y', 4), conv('9', 4)], { input: [8, 8, 1], classes: 2 }));
    assert.deepEqual(g.stages[0].items.map((i) => i.key), ['x_y', 'x_y_', '_9']);
    assert.ok(g.params.some((p) => p.torchName === 'stage0.x_y_.conv.weight'));
  });

  it('refuses a layer whose TF.js name is taken by the network input, naming the layer', () => {
    const arch = net([conv('input', 4)], { input: [8, 8, 1], classes: 2 });
    assert.throws(() => exportGraph(arch), (e: unknown) => e instanceof ArchitectureError && e.at === 'input' && /^Id "input" gives the name "input" twice; rename the layer or skip\.$/.test(e.message));
  });

  it('refuses a layer kind it does not know before resolving the graph, naming the layer', () => {
    const arch = { ...net([conv('c', 4)]), layers: [{ kind: 'upsample', id: 'up' }] } as unknown as Architecture;
    assert.throws(() => exportGraph(arch), (e: unknown) => e instanceof ArchitectureError && e.at === 'up' && /^Layer "up" has the kind "upsample", which the exporter does not know; export needs conv, pool and dense layers only\.$/.test(e.message));
    const noId = { ...net([conv('c', 4)]), layers: [{ kind: 'upsample' }] } as unknown as Architecture;
    assert.throws(() => exportGraph(noId), (e: unknown) => e instanceof ArchitectureError && e.at === undefined && /Layer "undefined"/.test(e.message));
    const numberId = { ...net([conv('c', 4)]), layers: [{ kind: 'upsample', id: 5 }] } as unknown as Architecture;
    assert.throws(() => exportGraph(numberId), (e: unknown) => e instanceof ArchitectureError && e.at === undefined && /Layer "5"/.test(e.message));
  });
});

describe("export graph: TF's 'same' padding", () => {
  it('gives ceil(size / stride) outputs, the smaller half of the padding before', () => {
    const cases: [number, number, number, [number, number]][] = [[28, 7, 2, [2, 3]], [14, 3, 2, [0, 1]], [7, 3, 2, [1, 1]], [9, 5, 1, [2, 2]], [1, 3, 2, [1, 1]], [8, 1, 2, [0, 0]], [5, 1, 3, [0, 0]]];
    for (const [size, kernel, stride, pads] of cases) {
      assert.deepEqual(samePadding(size, kernel, stride), pads, `${size}/${kernel}/${stride}`);
      assert.equal(Math.floor((size + pads[0] + pads[1] - kernel) / stride) + 1, Math.ceil(size / stride));
    }
  });
});

describe('export weights', () => {
  it('transposes row-major data by a permutation: HWIO → OIHW and [in, out] → [out, in]', () => {
    // [2, 3] → [3, 2]
    assert.deepEqual(Array.from(transpose(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], [1, 0])), [1, 4, 2, 5, 3, 6]);
    // HWIO [1, 2, 2, 3], each value encoding its position: 100 w + 10 i + o.
    const shape = [1, 2, 2, 3];
    const hwio = new Float32Array(12);
    for (let w = 0; w < 2; w++) for (let i = 0; i < 2; i++) for (let o = 0; o < 3; o++) hwio[(w * 2 + i) * 3 + o] = w * 100 + i * 10 + o;
    const oihw = Array.from(transpose(hwio, shape, [3, 2, 0, 1]));
    const expected: number[] = [];
    for (let o = 0; o < 3; o++) for (let i = 0; i < 2; i++) for (let w = 0; w < 2; w++) expected.push(w * 100 + i * 10 + o);
    assert.deepEqual(oihw, expected);
    assert.deepEqual(Array.from(transpose(Float32Array.from([7, 8, 9]), [3], [0])), [7, 8, 9]);
  });

  const param = (over: Partial<ExportParam>): ExportParam => ({ tfName: 'd/kernel', torchName: 'head.classifier.weight', tfShape: [2, 3], shape: [3, 2], perm: [1, 0], buffer: false, ...over });

  it('gives a weight in the exported layout, and one without a permutation as it is', () => {
    assert.deepEqual(Array.from(exportedValues(param({}), new Map([['d/kernel', Float32Array.from([1, 2, 3, 4, 5, 6])]]))), [1, 4, 2, 5, 3, 6]);
    const bias = Float32Array.from([1, 2, 3]);
    assert.equal(exportedValues(param({ tfName: 'd/bias', tfShape: [3], shape: [3], perm: null }), new Map([['d/bias', bias]])), bias);
  });

  it('names a missing, mis-sized or left-over weight', () => {
    assert.throws(() => exportedValues(param({}), new Map()), (e: unknown) => e instanceof ExportWeightsError && /^The trained model has no weight "d\/kernel"; the weights do not belong to this architecture\. Export the run folder the architecture came from\.$/.test(e.message));
    assert.throws(() => exportedValues(param({}), new Map([['d/kernel', new Float32Array(5)]])), (e: unknown) => e instanceof ExportWeightsError && /^The trained weight "d\/kernel" has 5 values where the architecture needs 6 \(2×3\); the weights do not belong to this architecture\.$/.test(e.message));
    const g = exportGraph(net([conv('c', 2)], { input: [4, 4, 1], classes: 2 }));
    const weights = new Map(g.params.map((p) => [p.tfName, new Float32Array(p.tfShape.reduce((a, b) => a * b, 1))]));
    const out = exportedWeights(g, weights);
    assert.deepEqual([...out.keys()], g.params.map((p) => p.torchName));
    assert.equal(out.get('head.classifier.weight')?.param.tfName, 'classifier/kernel');
    const extra = new Map(weights);
    for (const name of ['x1/kernel', 'x2/kernel', 'x3/kernel']) extra.set(name, new Float32Array(1));
    assert.throws(() => exportedWeights(g, extra), (e: unknown) => e instanceof ExportWeightsError && /^The trained model has weights the architecture does not describe \(x1\/kernel, x2\/kernel, x3\/kernel\); the weights/.test(e.message));
    extra.set('x4/kernel', new Float32Array(1));
    assert.throws(() => exportedWeights(g, extra), /\(x1\/kernel, x2\/kernel, x3\/kernel, \.\.\.\)/);
  });
});
