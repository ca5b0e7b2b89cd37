import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../../src/trainer/model/build';
import { copyOverlap, transferWeights } from '../../../src/trainer/model/transfer';
import { insertBlockAfter, removeLayers, withWidths } from '../../../bench/lib/arch-edits';
import type { Architecture } from '../../../src/core/arch/types';
import { arch, conv, dims, maxAbsDiff, predict, randomizeWeights, useCpuBackend } from './helpers';

/** stem → block s1b1 → max pool → strided block s2b1 (projection) → block s2b2 → GAP → classifier. */
function small(style: Architecture['blockStyle']): Architecture {
  return arch(
    style,
    [
      conv('stem', 4),
      conv('s1b1.conv1', 4),
      conv('s1b1.conv2', 4),
      { kind: 'pool', id: 'maxpool', pool: 'max', size: 2, stride: 2 },
      conv('s2b1.conv1', 6, 2),
      conv('s2b1.conv2', 6),
      conv('s2b2.conv1', 6),
      conv('s2b2.conv2', 6),
    ],
    [
      { id: 's1b1', from: 's1b1.conv1', to: 's1b1.conv2' },
      { id: 's2b1', from: 's2b1.conv1', to: 's2b1.conv2' },
      { id: 's2b2', from: 's2b2.conv1', to: 's2b2.conv2' },
    ],
  );
}

function weightValues(model: tf.LayersModel): Map<string, number[]> {
  return new Map(model.weights.map((w) => [w.originalName, Array.from(w.read().dataSync())]));
}

describe('model weight transfer', () => {
  useCpuBackend();
  let x: tf.Tensor;
  before(() => {
    x = tf.randomNormal([4, 16, 16, 1], 0, 1, 'float32', 11);
  });
  after(() => x.dispose());

  for (const style of ['standard', 'reference'] as const) {
    it(`inserting a ${style} block with its last γ at 0 leaves the outputs unchanged`, () => {
      const before = small(style);
      const old = buildModel(before, { seed: 1 });
      randomizeWeights(old, 500);
      const expected = predict(old, x);

      for (const after of ['s1b1.conv2', 'maxpool', 's2b2.conv2']) {
        const width = after === 's1b1.conv2' || after === 'maxpool' ? 4 : 6;
        const grown = insertBlockAfter(before, after, 'n0001', ['n0001.conv1', 'n0001.conv2'], width, { insertedAt: 1 });
        const model = buildModel(grown, { seed: 2, zeroGammaLayers: ['n0001.conv2'] });
        const report = transferWeights(old, model);
        assert.ok(report.fresh.length > 0 && report.fresh.every((n) => n.startsWith('n0001.')), report.fresh.join());
        assert.equal(report.carried.length, old.weights.length);
        const got = predict(model, x);
        assert.ok(maxAbsDiff(got, expected) <= 1e-5, `after ${after}: max abs diff ${maxAbsDiff(got, expected)}`);

        // Control: the same block with γ = 1 changes the function, so the check above can fail.
        const control = buildModel(grown, { seed: 2 });
        transferWeights(old, control);
        randomizeWeights(control, 900); // also make the new block's BN non-trivial
        transferWeights(old, control);
        assert.ok(maxAbsDiff(predict(control, x), expected) > 1e-4);
        model.dispose();
        control.dispose();
      }
      old.dispose();
    });
  }

  it('after deleting a block every surviving layer keeps its weights', () => {
    const full = small('standard');
    const old = buildModel(full, { seed: 1 });
    randomizeWeights(old, 77);
    const shrunk = removeLayers(full, ['s2b2.conv1', 's2b2.conv2'], ['s2b2']);
    const model = buildModel(shrunk, { seed: 5 });
    const report = transferWeights(old, model);
    assert.deepEqual(report.fresh, []);
    const oldValues = weightValues(old);
    const newValues = weightValues(model);
    assert.equal(newValues.size, report.carried.length);
    for (const [name, values] of newValues) assert.deepEqual(values, oldValues.get(name), name);
    assert.ok(!newValues.has('s2b2.conv1/kernel'));
    assert.ok(newValues.has('s2b1.conv2_bn/moving_variance'));
    // The old model's later changes, and its disposal, do not reach the new one.
    const zeros = tf.zeros(dims(old.getLayer('stem').weights[0]));
    old.getLayer('stem').weights[0].write(zeros);
    zeros.dispose();
    old.dispose();
    assert.deepEqual(weightValues(model), newValues);
    model.dispose();
  });

  it('leaves layers whose shape changed at their fresh init', () => {
    const base = small('reference');
    const old = buildModel(base, { seed: 1 });
    const wider = withWidths(base, new Map([['s2b2.conv1', 9]]));
    const model = buildModel(wider, { seed: 1 });
    const freshValues = weightValues(model);
    randomizeWeights(old, 3);
    const report = transferWeights(old, model);
    assert.deepEqual(report.sliced, []);
    assert.deepEqual(report.fresh.sort(), ['s2b2.conv1/bias', 's2b2.conv1/kernel', 's2b2.conv2/kernel', 's2b2.conv2_bn/beta', 's2b2.conv2_bn/gamma', 's2b2.conv2_bn/moving_mean', 's2b2.conv2_bn/moving_variance'].sort());
    assert.deepEqual(Array.from(model.getLayer('s2b2.conv1').weights[0].read().dataSync()), freshValues.get('s2b2.conv1/kernel'));
    old.dispose();
    model.dispose();
  });

  it('with overlap, a resized layer keeps the old values where the shapes overlap and its fresh init elsewhere', () => {
    const base = small('standard');
    const old = buildModel(base, { seed: 1 });
    randomizeWeights(old, 21);
    // s1b1.conv1 narrower (4 → 3), s2b2.conv1 wider (6 → 9): the next conv's input axis follows.
    const resized = withWidths(base, new Map([['s1b1.conv1', 3], ['s2b2.conv1', 9]]));
    const model = buildModel(resized, { seed: 4 });
    const fresh = new Map(model.weights.map((w) => [w.originalName, w.read().clone()]));
    const report = transferWeights(old, model, { overlap: true });
    assert.deepEqual(report.fresh, []);
    assert.ok(report.sliced.includes('s1b1.conv1/kernel') && report.sliced.includes('s1b1.conv2/kernel'), report.sliced.join());
    assert.ok(report.sliced.includes('s2b2.conv1/kernel') && report.sliced.includes('s2b2.conv2/kernel'), report.sliced.join());
    assert.ok(report.carried.includes('s2b2.conv2_bn/gamma') && report.carried.includes('stem/kernel'), report.carried.join());
    const oldWeights = new Map(old.weights.map((w) => [w.originalName, w.read()]));
    for (const w of model.weights) {
      const name = w.originalName;
      const now = w.read();
      const before = oldWeights.get(name)!;
      const common = now.shape.map((d, i) => Math.min(d, before.shape[i]));
      const begin = common.map(() => 0);
      const [overlap, outside] = tf.tidy(() => {
        // Outside the overlap the fresh initialisation stays: zero the overlap in both and compare.
        const mask = tf.pad(tf.zeros(common), common.map((c, i) => [0, now.shape[i] - c] as [number, number]), 1);
        return [
          maxAbsDiff(tf.slice(now, begin, common).dataSync(), tf.slice(before, begin, common).dataSync()),
          maxAbsDiff(tf.mul(now, mask).dataSync(), tf.mul(fresh.get(name)!, mask).dataSync()),
        ];
      });
      assert.equal(overlap, 0, `${name}: overlap not copied`);
      assert.equal(outside, 0, `${name}: fresh part changed`);
    }
    old.dispose();
    model.dispose();
    for (const t of fresh.values()) t.dispose();
  });

  it('leaves a weight whose rank changed at its fresh init, with or without overlap', () => {
    // "x" is a hidden dense layer (kernel [3, 3]) before and a 3×3 conv (kernel [3, 3, 3, 2]) after.
    const before = arch('reference', [conv('stem', 3), { kind: 'dense', id: 'x', units: 3 }], []);
    const after = arch('reference', [conv('stem', 3), conv('x', 2)], []);
    for (const overlap of [false, true]) {
      const old = buildModel(before, { seed: 1 });
      const model = buildModel(after, { seed: 2 });
      randomizeWeights(old, 5);
      const kernel = Array.from(model.getLayer('x').weights[0].read().dataSync());
      const report = transferWeights(old, model, { overlap });
      assert.ok(report.fresh.includes('x/kernel') && !report.carried.includes('x/kernel') && !report.sliced.includes('x/kernel'), JSON.stringify(report));
      assert.deepEqual(Array.from(model.getLayer('x').weights[0].read().dataSync()), kernel);
      assert.ok(report.carried.includes('stem/kernel'));
      old.dispose();
      model.dispose();
    }
  });

  it('copyOverlap copies exactly the common leading block, whichever side is larger', () => {
    const cases: Array<[number[], number[]]> = [[[3, 3, 4, 5], [3, 3, 2, 7]], [[6], [4]], [[2, 5], [3, 1]], [[3, 0], [3, 2]], [[0, 3], [2, 3]], [[2, 3], [0, 3]]];
    for (const [srcShape, dstShape] of cases) {
      const [out, expected] = tf.tidy(() => {
        const src = tf.randomNormal(srcShape, 0, 1, 'float32', 3);
        const dst = tf.randomNormal(dstShape, 0, 1, 'float32', 4);
        const copied = dst.dataSync().slice();
        copyOverlap(src.dataSync(), srcShape, copied, dstShape);
        const common = srcShape.map((d, i) => Math.min(d, dstShape[i]));
        const padding = common.map((c, i) => [0, dstShape[i] - c] as [number, number]);
        // Reference: tf.slice + tf.pad over the same block, built independently of the index walk.
        const reference = common.some((d) => d === 0)
          ? dst
          : tf.add(tf.pad(tf.slice(src, common.map(() => 0), common), padding), tf.mul(dst, tf.pad(tf.zeros(common), padding, 1)));
        return [Array.from(copied), Array.from(reference.dataSync())];
      });
      assert.deepEqual(out, expected, `${srcShape} → ${dstShape}`);
    }
    assert.throws(() => copyOverlap([1], [1], [0], [1, 1]), /ranks differ/);
  });
});
