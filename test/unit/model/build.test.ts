import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../../src/trainer/model/build';
import { DataInputConv2D } from '../../../src/trainer/model/data-input-conv';
import { FusedBatchNormalization } from '../../../src/trainer/model/fused-batch-norm';
import { tfLayerName } from '../../../src/trainer/model/names';
import { layerVariables, layerWeight } from '../../../src/trainer/model/variables';
import { countParams } from '../../../src/core/arch/cost';
import { emptyNet, resnet18, resnet20 } from '../../../src/core/arch/seeds';
import { ArchitectureError } from '../../../src/core/arch/resolve';
import type { Architecture } from '../../../src/core/arch/types';
import { arch, conv, maxAbsDiff, predict, randomizeWeights, size, useCpuBackend } from './helpers';

function trainableCount(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, w) => sum + size(w), 0);
}

/**
 * A net that exercises every adapter: odd input size (ceil in strided 'same' convs), a block
 * whose output is narrower than its shortcut (reference: pad the main path), a one-conv block
 * wider than its shortcut (pad the shortcut), a strided block (1×1 projection), pools on a 2×2
 * and on a 1×1 map, a hidden dense layer.
 */
function adapterNet(style: Architecture['blockStyle'], input = { height: 9, width: 9, channels: 2 }): Architecture {
  return arch(
    style,
    [
      conv('stem', 4),
      conv('a.c1', 6, 2),
      conv('a.c2', 3),
      conv('b.c1', 5),
      { kind: 'pool', id: 'mp', pool: 'max', size: 2, stride: 2 },
      conv('c.c1', 8, 2),
      conv('c.c2', 8),
      { kind: 'pool', id: 'ap', pool: 'avg', size: 2, stride: 2 },
      { kind: 'dense', id: 'fc', units: 7 },
    ],
    [
      { id: 'a', from: 'a.c1', to: 'a.c2' },
      { id: 'b', from: 'b.c1', to: 'b.c1' },
      { id: 'c', from: 'c.c1', to: 'c.c2' },
    ],
    input,
  );
}

/** The network's function written directly from docs/algorithm.md, "Block styles" with tf ops, reading the model's weights. */
function specForward(model: tf.LayersModel, a: Architecture, x: tf.Tensor4D): tf.Tensor {
  const weight = (name: string, w: string): tf.Tensor => layerWeight(model.getLayer(name), w)!.read();
  const bn = (t: tf.Tensor4D, name: string): tf.Tensor4D =>
    tf.batchNorm(t, weight(name, 'moving_mean') as tf.Tensor1D, weight(name, 'moving_variance') as tf.Tensor1D, weight(name, 'beta') as tf.Tensor1D, weight(name, 'gamma') as tf.Tensor1D, 1e-3);
  const padC = (t: tf.Tensor4D, to: number): tf.Tensor4D => (t.shape[3] >= to ? t : tf.pad(t, [[0, 0], [0, 0], [0, 0], [0, to - t.shape[3]]]));
  const std = a.blockStyle === 'standard';
  let h: tf.Tensor4D = x;
  let flat: tf.Tensor2D | null = null;
  const shortcutIn = new Map<string, tf.Tensor4D>();
  for (const layer of a.layers) {
    const skipStart = a.skips.find((s) => s.from === layer.id);
    if (skipStart) shortcutIn.set(skipStart.id, h);
    if (layer.kind === 'conv') {
      const k = weight(layer.id, 'kernel') as tf.Tensor4D;
      if (std) {
        h = bn(tf.conv2d(h, k, layer.stride, 'same'), `${layer.id}_bn`);
        if (!a.skips.some((s) => s.to === layer.id)) h = tf.relu(h) as tf.Tensor4D;
      } else {
        h = tf.relu(tf.add(tf.conv2d(bn(h, `${layer.id}_bn`), k, layer.stride, 'same'), weight(layer.id, 'bias'))) as tf.Tensor4D;
      }
    } else if (layer.kind === 'pool') {
      const size: [number, number] = [Math.min(2, h.shape[1]), Math.min(2, h.shape[2])];
      h = layer.pool === 'max' ? tf.maxPool(h, size, 2, 'valid') : tf.avgPool(h, size, 2, 'valid');
    } else {
      const input: tf.Tensor2D = flat ?? tf.mean(h, [1, 2]);
      flat = tf.relu(tf.add(tf.matMul(input, weight(layer.id, 'kernel') as tf.Tensor2D), weight(layer.id, 'bias'))) as tf.Tensor2D;
    }
    const skipEnd = a.skips.find((s) => s.to === layer.id);
    if (skipEnd) {
      let s = shortcutIn.get(skipEnd.id)!;
      const spatial = s.shape[1] !== h.shape[1] || s.shape[2] !== h.shape[2];
      const stride = Math.max(Math.ceil(s.shape[1] / h.shape[1]), Math.ceil(s.shape[2] / h.shape[2]));
      if (std) {
        if (spatial || s.shape[3] !== h.shape[3]) s = bn(tf.conv2d(s, weight(`${skipEnd.id}_proj`, 'kernel') as tf.Tensor4D, stride, 'valid'), `${skipEnd.id}_projbn`);
        h = tf.relu(tf.add(h, s)) as tf.Tensor4D;
      } else {
        const c = Math.max(s.shape[3], h.shape[3]);
        s = padC(s, c);
        h = padC(h, c);
        if (spatial) s = tf.add(tf.conv2d(s, weight(`${skipEnd.id}_proj`, 'kernel') as tf.Tensor4D, stride, 'valid'), weight(`${skipEnd.id}_proj`, 'bias')) as tf.Tensor4D;
        h = tf.add(h, s) as tf.Tensor4D;
      }
    }
  }
  const last: tf.Tensor2D = flat ?? tf.mean(h, [1, 2]);
  return tf.softmax(tf.add(tf.matMul(last, weight('classifier', 'kernel') as tf.Tensor2D), weight('classifier', 'bias')));
}

describe('model build', () => {
  useCpuBackend();

  it('has exactly countParams(arch) trainable weights for every start net in both styles', () => {
    const input = { height: 32, width: 32, channels: 3 };
    for (const make of [emptyNet, resnet20, resnet18]) {
      for (const style of ['reference', 'standard'] as const) {
        const a = make(input, 10, style);
        const model = buildModel(a, { seed: 1 });
        assert.equal(trainableCount(model), countParams(a), `${make.name} ${style}`);
        assert.deepEqual(model.outputs[0].shape, [null, 10]);
        model.dispose();
      }
    }
  });

  for (const style of ['reference', 'standard'] as const) {
    it(`computes the spec's function (${style} style: BN placement, paddings, projections, pools, head)`, () => {
      // 1×9: only the width shrinks at a stride, so shortcuts must compare both axes.
      for (const [height, width] of [[9, 9], [1, 9], [6, 11]]) {
        const a = adapterNet(style, { height, width, channels: 2 });
        const model = buildModel(a, { seed: 3 });
        randomizeWeights(model, 100);
        const x = tf.randomNormal([2, height, width, 2], 0, 1, 'float32', 7) as tf.Tensor4D;
        const got = predict(model, x);
        const want = tf.tidy(() => specForward(model, a, x).dataSync());
        assert.ok(maxAbsDiff(got, want) <= 1e-5, `${height}×${width}: max abs diff ${maxAbsDiff(got, want)}`);
        // The output is not degenerate (a broken wiring could still give a uniform softmax).
        assert.ok(Math.max(...got) - Math.min(...got) > 1e-3);
        x.dispose();
        model.dispose();
      }
    });
  }

  it('trains: every trainable weight gets a finite, non-zero gradient through paddings and projections', () => {
    for (const style of ['reference', 'standard'] as const) {
      const a = adapterNet(style);
      const model = buildModel(a, { seed: 4 });
      const x = tf.randomNormal([4, 9, 9, 2], 0, 1, 'float32', 8);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
      const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
      const trainable = model.trainableWeights.map((w) => w.originalName).sort();
      const withGrad = model.trainableWeights.filter((w) => {
        const g = grads[(w.read() as tf.Variable).name];
        if (!g) return false;
        const values = g.dataSync();
        return values.every(Number.isFinite) && values.some((v) => v !== 0);
      });
      assert.deepEqual(withGrad.map((w) => w.originalName).sort(), trainable, style);
      for (const g of Object.values(grads)) g.dispose();
      tf.dispose([x, y]);
      model.dispose();
    }
  });

  it('is saved with built-in layer classes only (the export must load in plain tfjs)', () => {
    const builtIn = new Set(['InputLayer', 'Conv2D', 'BatchNormalization', 'Activation', 'Permute', 'ZeroPadding2D', 'Add', 'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'Dense']);
    for (const style of ['reference', 'standard'] as const) {
      const model = buildModel(adapterNet(style));
      const saved = model.toJSON(undefined, false) as { config: { layers: { class_name: string }[] } };
      const classes = new Set(saved.config.layers.map((l) => l.class_name));
      for (const c of classes) assert.ok(builtIn.has(c), c);
      assert.ok(classes.has('BatchNormalization') && classes.has('Conv2D'));
      if (style === 'reference') assert.ok(classes.has('Permute') && classes.has('ZeroPadding2D'));
      model.dispose();
    }
  });

  it('leaves TF.js\'s own layers as they are: only the layers it makes train differently', () => {
    const builtInCall = (layer: tf.layers.Layer) => (Object.getPrototypeOf(layer) as { call: unknown }).call;
    const bnCall = builtInCall(tf.layers.batchNormalization({}));
    const convCall = builtInCall(tf.layers.conv2d({ filters: 1, kernelSize: 1 }));
    const model = buildModel(adapterNet('standard'));
    assert.equal(builtInCall(tf.layers.batchNormalization({})), bnCall);
    assert.equal(builtInCall(tf.layers.conv2d({ filters: 1, kernelSize: 1 })), convCall);
    // The stem reads the input, so it is the data-input conv; the next conv is TF.js's own.
    assert.ok(model.getLayer(tfLayerName('stem', 'conv')) instanceof DataInputConv2D);
    assert.ok(!(model.getLayer(tfLayerName('a.c1', 'conv')) instanceof DataInputConv2D));
    assert.ok(model.getLayer(tfLayerName('stem', 'bn')) instanceof FusedBatchNormalization);
    model.dispose();
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = adapterNet('standard');
    const [m1, m2, m3] = [buildModel(a, { seed: 42 }), buildModel(a, { seed: 42 }), buildModel(a, { seed: 43 })];
    const values = (m: tf.LayersModel): number[] => m.getWeights().flatMap((t) => Array.from(t.dataSync()));
    assert.deepEqual(values(m1), values(m2));
    assert.notDeepEqual(values(m1), values(m3));
    // Per-layer seeds follow the layer name, not its position: two convs of one shape differ.
    const k = (m: tf.LayersModel, id: string): number[] => Array.from(layerWeight(m.getLayer(id), 'kernel')!.read().dataSync());
    assert.notDeepEqual(k(m1, 'c.c2'), k(m1, 'c.c1').slice(0, 8 * 9 * 8));
    for (const m of [m1, m2, m3]) m.dispose();
  });

  it('seeds each layer\'s initializer with FNV-1a of "<seed>:<name>" over the basis xor the seed, whatever its position', () => {
    // FNV-1a written out independently: 32-bit offset basis 0x811c9dc5, prime 0x01000193.
    const fnv = (seed: number, name: string): number => {
      let h = (0x811c9dc5 ^ seed) >>> 0;
      for (const ch of `${seed}:${name}`) h = Number((BigInt(h ^ ch.charCodeAt(0)) * 0x01000193n) & 0xffffffffn);
      return h;
    };
    const a = adapterNet('standard');
    const model = buildModel(a, { seed: 42 });
    for (const [name, weight] of [['stem', 'kernel'], ['c.c2', 'kernel'], ['fc', 'kernel'], ['classifier', 'kernel']] as const) {
      const actual = layerWeight(model.getLayer(name), weight)!.read();
      const expected = tf.tidy(() => Array.from(tf.initializers.glorotUniform({ seed: fnv(42, name) }).apply(actual.shape).dataSync()));
      assert.deepEqual(Array.from(actual.dataSync()), expected, name);
    }
    model.dispose();
    // Without a seed the initializers draw unseeded: two builds differ.
    const [u1, u2] = [buildModel(a), buildModel(a)];
    assert.notDeepEqual(Array.from(layerWeight(u1.getLayer('stem'), 'kernel')!.read().dataSync()), Array.from(layerWeight(u2.getLayer('stem'), 'kernel')!.read().dataSync()));
    u1.dispose();
    u2.dispose();
  });

  it('gives every batch norm the momentum it is asked for, Keras\' 0.99 by default', () => {
    for (const [options, expected] of [[{}, 0.99], [{ batchNormMomentum: 0.5 }, 0.5]] as const) {
      const model = buildModel(adapterNet('standard'), options);
      const momenta = model.layers.filter((l) => l.getClassName() === 'BatchNormalization').map((l) => l.getConfig().momentum);
      assert.ok(momenta.length > 5);
      assert.ok(momenta.every((m) => m === expected), `${JSON.stringify(options)}: ${momenta}`);
      model.dispose();
    }
  });

  it('names layers from graph ids and rejects ids that collide with the head', () => {
    assert.equal(tfLayerName('s1b1.conv1', 'conv'), 's1b1.conv1');
    assert.equal(tfLayerName('s1b1.conv1', 'bn'), 's1b1.conv1_bn');
    assert.equal(tfLayerName('a_b', 'conv'), 'a__b');
    assert.notEqual(tfLayerName('a_bn', 'conv'), tfLayerName('a', 'bn'));
    const model = buildModel(adapterNet('standard'));
    const names = model.layers.map((l) => l.name);
    for (const n of ['input', 'stem', 'stem_bn', 'stem_relu', 'a_proj', 'a_projbn', 'a_add', 'a_relu', 'mp', 'fc_gap', 'fc', 'classifier']) assert.ok(names.includes(n), n);
    model.dispose();
    const clash = arch('standard', [conv('classifier', 4)], []);
    assert.throws(
      () => buildModel(clash),
      (e: unknown) => e instanceof ArchitectureError && e.at === 'classifier' && /Id "classifier" gives the TF\.js layer name "classifier", which "classifier" already uses; rename the layer or skip\./.test(e.message),
    );
    assert.throws(() => buildModel(adapterNet('standard'), { zeroGammaLayers: ['mp'] }), /not a conv layer/);
  });

  it('pads channels with layers named for the skip and the side they pad, and only where a side is narrower', () => {
    // Reference style: block a's output (3) is narrower than its shortcut (4), block b's shortcut (4) narrower than its output (5).
    const reference = buildModel(adapterNet('reference'));
    const padLayers = reference.layers.map((l) => l.name).filter((n) => n.includes('_pad'));
    assert.deepEqual(padLayers.sort(), ['a_padmain', 'a_padmainin', 'a_padmainout', 'b_padshortcut', 'b_padshortcutin', 'b_padshortcutout', 'c_padshortcut', 'c_padshortcutin', 'c_padshortcutout'].sort());
    reference.dispose();
    // The standard style projects instead: no padding layers at all.
    const standard = buildModel(adapterNet('standard'));
    const classes = standard.layers.map((l) => l.getClassName());
    assert.ok(!classes.includes('Permute') && !classes.includes('ZeroPadding2D'), classes.join());
    assert.equal(standard.name, 'resbuilder');
    standard.dispose();
  });

  it('pools globally only before the first hidden dense layer', () => {
    const a = arch('standard', [conv('stem', 4), { kind: 'dense', id: 'fc1', units: 6 }, { kind: 'dense', id: 'fc2', units: 5 }], []);
    const model = buildModel(a, { seed: 1 });
    const names = model.layers.map((l) => l.name);
    assert.ok(names.includes('fc1_gap') && !names.includes('fc2_gap') && !names.includes('classifier_gap'), names.join());
    assert.deepEqual(model.getLayer('fc2').weights[0].shape, [6, 5]);
    model.dispose();
  });

  it('exposes kernels, biases and the conv’s own BN γ by graph id', () => {
    for (const style of ['reference', 'standard'] as const) {
      const a = adapterNet(style);
      const model = buildModel(a, { zeroGammaLayers: ['a.c2'] });
      const vars = layerVariables(model, a);
      const keys = [...vars.keys()].sort();
      const expectedKeys = ['stem', 'a.c1', 'a.c2', 'b.c1', 'c.c1', 'c.c2', 'fc', 'a.proj', 'c.proj', 'classifier', ...(style === 'standard' ? ['b.proj'] : [])].sort();
      assert.deepEqual(keys, expectedKeys);
      const a2 = vars.get('a.c2')!;
      assert.deepEqual(a2.kernel!.shape, [3, 3, 6, 3]);
      // reference: γ of the BN before the conv (its 6 input channels); standard: after it (3 outputs)
      assert.deepEqual(a2.gamma!.shape, style === 'reference' ? [6] : [3]);
      assert.deepEqual(Array.from(a2.gamma!.read().dataSync()), new Array(a2.gamma!.shape[0]).fill(0));
      assert.ok(Array.from(vars.get('a.c1')!.gamma!.read().dataSync()).every((g) => g === 1));
      assert.equal(a2.bias === undefined, style === 'standard');
      assert.equal(vars.get('classifier')!.kernel!.shape[1], 3);
      assert.equal(vars.get('a.proj')!.gamma === undefined, style === 'reference');
      model.dispose();
    }
  });
});
