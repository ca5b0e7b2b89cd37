import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Architecture, BlockStyle } from '../../../src/core/arch/types';
import { buildModel } from '../../../src/trainer/model/build';
import { foldForInference } from '../../../src/trainer/model/inference';
import { exportCases } from '../export/fixtures';
import { useNativeBackend } from '../native/helpers';
import { maxAbsDiff, predict, randomizeWeights } from './helpers';

/**
 * Batch norms right after a convolution without activation: every conv and projection of the
 * standard style; none in the reference style, where a BN comes before its conv and after the
 * previous conv's ReLU.
 */
function foldableConvs(model: tf.LayersModel): number {
  return model.layers.filter((l) => {
    const from = l.inboundNodes[0].inboundLayers[0];
    return l.getClassName() === 'BatchNormalization' && from.getClassName() === 'Conv2D' && from.getConfig().activation === 'linear';
  }).length;
}

function folded(model: tf.LayersModel, x: tf.Tensor): { values: Float32Array; foldedConvs: number; fusedRelus: number; fusedResiduals: number } {
  const net = foldForInference(model);
  try {
    return {
      values: tf.tidy(() => net.predict(x).dataSync() as Float32Array),
      foldedConvs: net.foldedConvs, fusedRelus: net.fusedRelus, fusedResiduals: net.fusedResiduals,
    };
  } finally {
    net.dispose();
  }
}

/** Random weights scaled down so the softmax is far from one-hot and a wrong logit shows. */
function randomModel(arch: Architecture, seed: number): tf.LayersModel {
  const model = buildModel(arch, { seed });
  randomizeWeights(model, seed);
  scaleKernels(model, 0.6);
  return model;
}

function scaleKernels(model: tf.LayersModel, factor: number): void {
  for (const w of model.weights) {
    if (w.originalName.endsWith('/kernel')) {
      const scaled = tf.mul(w.read(), factor);
      w.write(scaled);
      scaled.dispose();
    }
  }
}

/**
 * Random weights (kernels scaled down), one batch run folded and through `model.predict`: the
 * outputs must agree and must not be saturated, or a wrong scale or shift would not show.
 */
function foldAndCompare(model: tf.LayersModel, seed: number, xShape: number[]): ReturnType<typeof folded> {
  randomizeWeights(model, seed);
  scaleKernels(model, 0.3);
  const x = tf.randomNormal(xShape, 0, 1, 'float32', seed + 1);
  const expected = predict(model, x);
  const got = folded(model, x);
  x.dispose();
  assert.ok(Math.max(...expected) < 0.99, 'the softmax is saturated; the comparison would hide errors');
  assert.ok(maxAbsDiff(got.values, expected) < 2e-5, `max |Δ| ${maxAbsDiff(got.values, expected)}`);
  return got;
}

describe('inference with folded batch norms', function () {
  this.timeout(300_000);
  before(useNativeBackend);
  after(() => tf.setBackend('native'));

  for (const backend of ['cpu', 'native']) {
    for (const style of ['standard', 'reference'] as BlockStyle[]) {
      for (const { name, arch } of exportCases(style)) {
        it(`${backend}, ${style} style, ${name}: same outputs as model.predict`, async () => {
          await tf.setBackend(backend);
          const model = randomModel(arch, 5);
          const x = tf.randomNormal([6, arch.input.height, arch.input.width, arch.input.channels], 0, 1, 'float32', 9);
          const expected = predict(model, x);
          const got = folded(model, x);
          assert.equal(got.foldedConvs, foldableConvs(model));
          // Standard style: every conv but a block's last is followed by its ReLU.
          assert.equal(got.fusedRelus, style === 'standard' ? model.layers.filter((l) => l.getClassName() === 'Activation' && l.inboundNodes[0].inboundLayers[0].getClassName() === 'BatchNormalization').length : 0);
          // Standard style: every block ends in BN → sum → ReLU, so each sum goes into a convolution.
          assert.equal(got.fusedResiduals, style === 'standard' ? model.layers.filter((l) => l.getClassName() === 'Add').length : 0);
          if (style === 'standard') assert.ok(got.foldedConvs > 0, 'the standard style has conv → BN pairs to fold');
          // The outputs are not saturated, so a wrong scale or shift would show in them.
          assert.ok(Math.max(...expected) < 0.99, `the softmax is saturated (${Math.max(...expected)}); the comparison would hide errors`);
          assert.ok(maxAbsDiff(got.values, expected) < 2e-5, `max |Δ| ${maxAbsDiff(got.values, expected)}`);
          x.dispose();
          model.dispose();
        });
      }
    }
  }

  it('folds a model loaded from its saved JSON (built-in layers) the same way', async () => {
    await tf.setBackend('cpu');
    const arch = exportCases('standard')[0].arch;
    const model = randomModel(arch, 3);
    const loaded = await tf.models.modelFromJSON({ modelTopology: model.toJSON(undefined, false) as tf.io.ModelJSON['modelTopology'] });
    loaded.setWeights(model.getWeights());
    const x = tf.randomNormal([4, 28, 28, 1], 0, 1, 'float32', 2);
    const fromBuilder = folded(model, x);
    const fromJson = folded(loaded, x);
    assert.equal(fromJson.foldedConvs, fromBuilder.foldedConvs);
    assert.ok(maxAbsDiff(fromJson.values, predict(loaded, x)) < 2e-5);
    tf.dispose([x]);
    model.dispose();
    loaded.dispose();
  });

  it('leaves no tensor behind but the output, and frees its folded weights on dispose', async () => {
    await tf.setBackend('cpu');
    const model = randomModel(exportCases('standard')[1].arch, 4);
    const x = tf.randomNormal([2, 28, 28, 1], 0, 1, 'float32', 1);
    const before = tf.memory().numTensors;
    const net = foldForInference(model);
    const afterFold = tf.memory().numTensors;
    assert.equal(afterFold - before, 2 * net.foldedConvs, 'one filter and one bias per folded conv');
    const out = net.predict(x);
    assert.equal(tf.memory().numTensors, afterFold + 1);
    out.dispose();
    net.dispose();
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    model.dispose();
  });

  it('a fold made after the weights change follows them', async () => {
    await tf.setBackend('cpu');
    const model = randomModel(exportCases('standard')[0].arch, 6);
    const x = tf.randomNormal([3, 28, 28, 1], 0, 1, 'float32', 8);
    const first = folded(model, x).values;
    randomizeWeights(model, 60);
    const second = folded(model, x).values;
    assert.ok(maxAbsDiff(second, first) > 1e-3, 'the new weights change the outputs');
    assert.ok(maxAbsDiff(second, predict(model, x)) < 2e-5);
    x.dispose();
    model.dispose();
  });

  it('folds only a channels-last conv without activation into a centred, scaled channel BN, and fuses only a ReLU that alone reads it', async () => {
    await tf.setBackend('cpu');
    const input = tf.input({ shape: [6, 6, 3] });
    const conv = (args: Partial<Parameters<typeof tf.layers.conv2d>[0]> = {}) =>
      tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', useBias: false, ...args });
    const bn = (args: Parameters<typeof tf.layers.batchNormalization>[0] = {}) => tf.layers.batchNormalization(args);
    const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
    // Folded (2): conv → BN → tanh (the tanh stays a layer of its own); conv → BN read by a ReLU and a sum (the ReLU stays).
    const a = apply(tf.layers.activation({ activation: 'tanh' }), apply(bn(), apply(conv(), input)));
    const bOut = apply(bn(), apply(conv(), a));
    const b = apply(tf.layers.add(), [apply(tf.layers.activation({ activation: 'relu' }), bOut), bOut]);
    // Not folded: a conv with its own ReLU, a BN without β or γ, a BN on another axis, a conv read twice, a dense layer.
    const c = apply(bn(), apply(conv({ activation: 'relu' }), b));
    const d = apply(bn({ center: false }), apply(conv(), c));
    const e = apply(bn({ scale: false }), apply(conv(), d));
    const f = apply(bn({ axis: 1 }), apply(conv(), e));
    const shared = apply(conv(), f);
    const g = apply(tf.layers.add(), [apply(bn(), shared), shared]);
    const h = apply(bn(), apply(tf.layers.dense({ units: 5 }), apply(tf.layers.flatten(), g)));
    const model = tf.model({ inputs: input, outputs: apply(tf.layers.dense({ units: 4, activation: 'softmax' }), h) });
    const got = foldAndCompare(model, 21, [2, 6, 6, 3]);
    assert.equal(got.foldedConvs, 2);
    assert.equal(got.fusedRelus, 0, 'neither BN has a ReLU as its only reader');
    assert.equal(got.fusedResiduals, 0, 'no folded BN has a sum as its only reader');
    model.dispose();
  });

  for (const backend of ['cpu', 'native']) {
    it(`${backend}: takes a sum a folded BN alone feeds into its convolution, with the ReLU that alone reads the sum`, async () => {
      await tf.setBackend(backend);
      const input = tf.input({ shape: [6, 6, 3] });
      const conv = (filters = 3) => tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false });
      const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
      const bnOf = (x: tf.SymbolicTensor, filters = 3) => apply(tf.layers.batchNormalization(), apply(conv(filters), x));
      const relu = () => tf.layers.activation({ activation: 'relu' });
      // Fused (3): sum → ReLU; sum → tanh (the tanh stays); a sum of two folds (one of them takes it).
      const a = apply(relu(), apply(tf.layers.add(), [bnOf(input), input]));
      const b = apply(tf.layers.activation({ activation: 'tanh' }), apply(tf.layers.add(), [a, bnOf(a)]));
      const c = apply(relu(), apply(tf.layers.add(), [bnOf(b), bnOf(b)]));
      // Not fused: a sum read by two layers keeps its ReLU apart; a three-input sum; a sum that broadcasts.
      const dSum = apply(tf.layers.add(), [bnOf(c), c]);
      const d = apply(tf.layers.add(), [apply(relu(), dSum), dSum]);
      const e = apply(tf.layers.add(), [bnOf(d), d, c]);
      const f = apply(tf.layers.add(), [bnOf(e, 1), e]);
      const model = tf.model({ inputs: input, outputs: apply(tf.layers.dense({ units: 4, activation: 'softmax' }), apply(tf.layers.flatten(), f)) });
      const got = foldAndCompare(model, 22, [2, 6, 6, 3]);
      assert.equal(got.foldedConvs, 7);
      assert.equal(got.fusedResiduals, 4, 'the three sums above, and the one whose sum is read twice, without its ReLU');
      model.dispose();
    });
  }

  for (const backend of ['cpu', 'native']) {
    it(`${backend}: a layer that passes its input through (dropout at inference) does not let the sum overwrite a tensor still read`, async () => {
      await tf.setBackend(backend);
      const input = tf.input({ shape: [6, 6, 3] });
      const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
      const bnOf = (x: tf.SymbolicTensor) => apply(tf.layers.batchNormalization(), apply(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', useBias: false }), x));
      const tanh = (x: tf.SymbolicTensor) => apply(tf.layers.activation({ activation: 'tanh' }), x);
      const a = tanh(bnOf(input));
      // The sum is the dropout's last reader, but the dropout's value is `a`'s memory, which the sum after it still reads.
      const b = apply(tf.layers.activation({ activation: 'relu' }), apply(tf.layers.add(), [bnOf(tanh(bnOf(a))), apply(tf.layers.dropout({ rate: 0.5 }), a)]));
      const c = apply(tf.layers.add(), [b, a]);
      const model = tf.model({ inputs: input, outputs: apply(tf.layers.dense({ units: 4, activation: 'softmax' }), apply(tf.layers.flatten(), c)) });
      const got = foldAndCompare(model, 23, [2, 6, 6, 3]);
      assert.equal(got.fusedResiduals, 1);
      model.dispose();
    });
  }

  it('runs a Sequential model, whose layers leave out its input layer', async () => {
    await tf.setBackend('cpu');
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, padding: 'same', useBias: false }),
        tf.layers.batchNormalization(),
        tf.layers.activation({ activation: 'relu' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 4, activation: 'softmax' }),
      ],
    });
    randomizeWeights(model, 12);
    const x = tf.randomNormal([3, 6, 6, 2], 0, 1, 'float32', 4);
    const got = folded(model, x);
    assert.equal(got.foldedConvs, 1);
    assert.equal(got.fusedRelus, 1);
    assert.ok(maxAbsDiff(got.values, predict(model, x)) < 2e-5);
    x.dispose();
    model.dispose();
  });

  it('runs a model with a layer applied twice with model.predict', async () => {
    await tf.setBackend('cpu');
    const input = tf.input({ shape: [4] });
    const shared = tf.layers.dense({ units: 4, activation: 'tanh' });
    const twice = shared.apply(shared.apply(input)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 3, activation: 'softmax' }).apply(twice) as tf.SymbolicTensor });
    randomizeWeights(model, 2);
    const x = tf.randomNormal([2, 4], 0, 1, 'float32', 3);
    const got = folded(model, x);
    assert.equal(got.foldedConvs, 0);
    assert.ok(maxAbsDiff(got.values, predict(model, x)) < 1e-6);
    x.dispose();
    model.dispose();
  });

  it('runs a model of another shape (two outputs) with model.predict', async () => {
    await tf.setBackend('cpu');
    const input = tf.input({ shape: [4] });
    const a = tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 3 }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [a, b] });
    const net = foldForInference(model);
    assert.equal(net.foldedConvs, 0);
    const x = tf.ones([1, 4]);
    const out = net.predict(x) as unknown as tf.Tensor[];
    assert.equal(out.length, 2);
    tf.dispose([x, ...out]);
    net.dispose();
    model.dispose();
  });
});
