import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { channelMagnitude, morphnetRegularizer } from '../../../src/trainer/train/morphnet';
import { channelGroups, type ChannelGroups } from '../../../src/core/search/channel-groups';
import { groupAliveCounts, opsOf, type MorphnetOp } from '../../../src/core/search/morphnet-ops';
import type { Architecture } from '../../../src/core/arch/types';
import { block, conv, dense, net, pool } from '../search/fixtures';

/** A plain array with its shape; the last axis is the output channel. */
interface Source {
  shape: number[];
  data: number[];
}

const THRESHOLD = 0.05;

/**
 * The tiny test graph: stem 4 → block a (3 wide: its output is zero-padded to the stem's 4) →
 * pool → block b (5 wide, stride 2: the shortcut is padded to 5 and goes through a 1×1/2 conv) →
 * dense 3 → classifier 2. Groups: {stem, a.conv2}, {a.conv1}, {b.conv1}, {b.conv2, b.proj}, {fc}, {classifier}.
 */
function tinyArch(style: 'reference' | 'standard'): Architecture {
  return net([conv('stem', 4), block('a', 3), pool('p'), block('b', 5, { stride: 2 }), dense('fc', 3)], { input: [6, 6, 2], classes: 2, style });
}

function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** Random kernels (or γ vectors) whose channels are clearly alive (RMS ≥ 0.1) or clearly dead (RMS ≤ 0.006). */
function randomSources(groups: ChannelGroups, style: 'reference' | 'standard', seed: number): Map<string, Source> {
  const random = lcg(seed);
  const sources = new Map<string, Source>();
  for (const op of groups.ops.values()) {
    const inChannels = op.inChannels + op.inPadding;
    const useGamma = style === 'standard' && (op.kind === 'conv' || op.kind === 'projection');
    const shape = useGamma ? [op.width] : op.kind === 'conv' || op.kind === 'projection' ? [op.kernel, op.kernel, inChannels, op.width] : [inChannels, op.width];
    const scale = Array.from({ length: op.width }, () => (random() < 0.3 ? 0.01 : 0.2 + random()));
    const size = shape.reduce((a, b) => a * b, 1);
    const data = Array.from({ length: size }, (_, i) => {
      const c = i % op.width;
      const u = 2 * random() - 1;
      // γ entries keep their sign but stay away from 0 so |γ| is clearly alive or dead.
      return useGamma ? Math.sign(u || 1) * scale[c] * (0.5 + 0.5 * Math.abs(u)) : scale[c] * u;
    });
    sources.set(op.id, { shape, data });
  }
  return sources;
}

/** The regularizer, written out directly in float64 (docs/algorithm.md, "The MorphNet term"). */
function plainMorphnet(ops: readonly MorphnetOp[], groups: ChannelGroups, sources: Map<string, Source>, threshold: number) {
  const magnitudeOf = (id: string): number[] => {
    const { shape, data } = sources.get(id)!;
    const width = shape[shape.length - 1];
    if (shape.length === 1) return data.map(Math.abs);
    const n = data.length / width;
    const sums = new Array<number>(width).fill(0);
    data.forEach((v, i) => (sums[i % width] += v * v));
    return sums.map((s) => Math.sqrt(s / n));
  };
  const R = new Map<string, number[]>();
  for (const group of groups.groups.values()) {
    const vector = new Array<number>(group.size).fill(0);
    for (const member of group.members) magnitudeOf(member).forEach((v, i) => (vector[i] = Math.max(vector[i], v)));
    R.set(group.id, vector);
  }
  const S = (gid: string, prefix: number) => R.get(gid)!.slice(0, prefix).reduce((a, b) => a + b, 0);
  const A = (gid: string, prefix: number) => R.get(gid)!.slice(0, prefix).filter((v) => v > threshold).length;
  let loss = 0;
  let flops = 0;
  const counts = new Map<string, number>();
  for (const op of groups.ops.values()) counts.set(op.id, A(op.outGroup, op.width));
  for (const op of ops) {
    const aIn = op.inPadding + (op.inGroup ? A(op.inGroup, op.inChannels) : 0);
    const sIn = op.inGroup ? S(op.inGroup, op.inChannels) : 0;
    loss += op.coeff * (aIn * S(op.outGroup, op.width) + A(op.outGroup, op.width) * sIn);
    flops += op.coeff * aIn * A(op.outGroup, op.width);
  }
  return { loss, flops, counts };
}

function tfLoss(ops: readonly MorphnetOp[], groups: ChannelGroups, ids: string[], tensors: tf.Tensor[]): tf.Scalar {
  const reg = morphnetRegularizer(ops, groups, new Map(ids.map((id, i) => [id, tensors[i]])), THRESHOLD);
  reg.dispose();
  return reg.loss;
}

describe('MorphNet regularizer (TF.js)', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const style of ['reference', 'standard'] as const) {
    describe(`${style} style`, () => {
      const arch = tinyArch(style);
      const groups = channelGroups(arch);
      const ops = opsOf(groups, { excludeClassifier: false });
      const sources = randomSources(groups, style, style === 'reference' ? 7 : 11);
      const ids = [...sources.keys()];

      it('matches the plain computation: value, grouped alive counts and alive FLOPs', () => {
        const expected = plainMorphnet(ops, groups, sources, THRESHOLD);
        const tensors = ids.map((id) => tf.tensor(sources.get(id)!.data, sources.get(id)!.shape));
        const reg = morphnetRegularizer(ops, groups, new Map(ids.map((id, i) => [id, tensors[i]])), THRESHOLD);
        const value = reg.loss.dataSync()[0];
        assert.ok(Math.abs(value - expected.loss) <= 1e-5 * expected.loss, `${value} vs ${expected.loss}`);
        assert.deepEqual(reg.aliveCounts(), expected.counts);
        assert.equal(reg.aliveFlops(), expected.flops);
        // The test data must exercise dead channels, or the alive logic is untested.
        assert.ok([...expected.counts].some(([id, n]) => n < groups.ops.get(id)!.width));
        reg.loss.dispose();
        tf.dispose(tensors);
      });

      it('leaves the classifier out when asked', () => {
        const without = opsOf(groups, { excludeClassifier: true });
        const expected = plainMorphnet(without, groups, sources, THRESHOLD);
        const full = plainMorphnet(ops, groups, sources, THRESHOLD);
        assert.ok(expected.loss < full.loss);
        const tensors = ids.map((id) => tf.tensor(sources.get(id)!.data, sources.get(id)!.shape));
        const value = tf.tidy(() => tfLoss(without, groups, ids, tensors).dataSync()[0]);
        assert.ok(Math.abs(value - expected.loss) <= 1e-5 * expected.loss);
        tf.dispose(tensors);
      });

      it('has the gradient of a central finite difference', () => {
        const tensors = ids.map((id) => tf.tensor(sources.get(id)!.data, sources.get(id)!.shape));
        const grads = tf.grads((...xs: tf.Tensor[]) => tfLoss(ops, groups, ids, xs))(tensors);
        const eps = 1e-6;
        let checked = 0;
        ids.forEach((id, k) => {
          const analytic = grads[k].dataSync();
          const source = sources.get(id)!;
          for (let i = 0; i < source.data.length; i++) {
            const plus = new Map(sources);
            const minus = new Map(sources);
            const up = [...source.data];
            const down = [...source.data];
            up[i] += eps;
            down[i] -= eps;
            plus.set(id, { shape: source.shape, data: up });
            minus.set(id, { shape: source.shape, data: down });
            const numeric = (plainMorphnet(ops, groups, plus, THRESHOLD).loss - plainMorphnet(ops, groups, minus, THRESHOLD).loss) / (2 * eps);
            assert.ok(Math.abs(analytic[i] - numeric) <= 1e-3 * Math.max(1, Math.abs(numeric)), `${id}[${i}]: ${analytic[i]} vs ${numeric}`);
            checked++;
          }
        });
        assert.ok(checked > 40, `only ${checked} entries checked`);
        // And against a finite difference of the TF.js loss itself on a few kernel entries.
        const stem = sources.get('stem')!;
        const at = (data: number[]) => tf.tidy(() => tfLoss(ops, groups, ids, ids.map((id) => tf.tensor(id === 'stem' ? data : sources.get(id)!.data, sources.get(id)!.shape))).dataSync()[0]);
        const analyticStem = grads[ids.indexOf('stem')].dataSync();
        for (const i of [0, Math.floor(stem.data.length / 2), stem.data.length - 1]) {
          const h = 1e-2;
          const up = [...stem.data];
          const down = [...stem.data];
          up[i] += h;
          down[i] -= h;
          const numeric = (at(up) - at(down)) / (2 * h);
          assert.ok(Math.abs(analyticStem[i] - numeric) <= 0.02 * Math.abs(numeric) + 0.5, `stem[${i}]: ${analyticStem[i]} vs ${numeric}`);
        }
        tf.dispose([...grads, ...tensors]);
      });
    });
  }

  it('gives a finite, zero gradient for all-zero channels (a zero-initialized block output)', () => {
    const arch = tinyArch('reference');
    const groups = channelGroups(arch);
    const ops = opsOf(groups, { excludeClassifier: false });
    const sources = randomSources(groups, 'reference', 3);
    const zeroed = sources.get('a.conv2')!;
    sources.set('a.conv2', { shape: zeroed.shape, data: zeroed.data.map(() => 0) });
    const ids = [...sources.keys()];
    const tensors = ids.map((id) => tf.tensor(sources.get(id)!.data, sources.get(id)!.shape));
    const grads = tf.grads((...xs: tf.Tensor[]) => tfLoss(ops, groups, ids, xs))(tensors);
    for (const g of grads) assert.ok(g.dataSync().every(Number.isFinite));
    assert.ok(grads[ids.indexOf('a.conv2')].dataSync().every((v) => v === 0));
    tf.dispose([...grads, ...tensors]);
  });

  it('gives zero gradient to a BN γ at exactly 0 (a function-preserving standard block)', () => {
    const arch = tinyArch('standard');
    const groups = channelGroups(arch);
    const ops = opsOf(groups, { excludeClassifier: false });
    const sources = randomSources(groups, 'standard', 13);
    // a.conv1 is alone in its group, so the max over members cannot hide the |γ| gradient.
    sources.set('a.conv1', { shape: [3], data: [0, 0, 0] });
    const ids = [...sources.keys()];
    const tensors = ids.map((id) => tf.tensor(sources.get(id)!.data, sources.get(id)!.shape));
    const grads = tf.grads((...xs: tf.Tensor[]) => tfLoss(ops, groups, ids, xs))(tensors);
    assert.deepEqual([...grads[ids.indexOf('a.conv1')].dataSync()], [0, 0, 0]);
    assert.ok(grads[ids.indexOf('stem')].dataSync().some((v) => v !== 0), 'the other ops still get their gradient');
    tf.dispose([...grads, ...tensors]);
  });

  it('leaks no tensors, also when built inside a gradient computation and read afterwards', () => {
    const arch = tinyArch('reference');
    const groups = channelGroups(arch);
    const ops = opsOf(groups, { excludeClassifier: false });
    const sources = randomSources(groups, 'reference', 5);
    const variables = new Map([...sources].map(([id, s]) => [id, tf.variable(tf.tensor(s.data, s.shape))]));
    const before = tf.memory().numTensors;

    const holder: { reg?: ReturnType<typeof morphnetRegularizer> } = {};
    const { value, grads } = tf.variableGrads(() => {
      holder.reg = morphnetRegularizer(ops, groups, variables, THRESHOLD);
      return holder.reg.loss;
    });
    tf.dispose([value, ...Object.values(grads)]);
    const expected = plainMorphnet(ops, groups, sources, THRESHOLD);
    assert.deepEqual(holder.reg!.aliveCounts(), expected.counts, 'the counts survive the gradient computation');
    assert.equal(holder.reg!.aliveFlops(), expected.flops);
    assert.equal(tf.memory().numTensors, before);

    const unread = morphnetRegularizer(ops, groups, variables, THRESHOLD);
    unread.loss.dispose();
    unread.dispose();
    unread.dispose();
    assert.equal(tf.memory().numTensors, before);
    assert.throws(() => unread.aliveCounts(), /disposed before they were read/);
    for (const v of variables.values()) v.dispose();
  });

  it('refuses an alive threshold that is negative or not finite, and takes 0', () => {
    const arch = tinyArch('reference');
    const groups = channelGroups(arch);
    const ops = opsOf(groups, { excludeClassifier: false });
    const sources = randomSources(groups, 'reference', 15);
    const tensors = new Map([...sources].map(([id, s]) => [id, tf.tensor(s.data, s.shape)]));
    for (const bad of [-0.01, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => morphnetRegularizer(ops, groups, tensors, bad), new RegExp(`alive threshold must be a finite non-negative number, got ${bad}`));
    }
    const reg = morphnetRegularizer(ops, groups, tensors, 0);
    const expected = plainMorphnet(ops, groups, sources, 0);
    assert.ok(Math.abs(reg.loss.dataSync()[0] - expected.loss) <= 1e-5 * expected.loss);
    assert.equal(reg.aliveFlops(), expected.flops);
    reg.loss.dispose();
    tf.dispose([...tensors.values()]);
  });

  it('over a part of the ops, reads the magnitudes of their input groups too', () => {
    const arch = tinyArch('reference');
    const groups = channelGroups(arch);
    // b.conv2 reads b.conv1's group, which no op of this list writes.
    const part = opsOf(groups, { excludeClassifier: false }).filter((op) => op.id === 'b.conv2');
    assert.ok(part[0].inGroup !== null && part[0].inGroup !== part[0].outGroup);
    const sources = randomSources(groups, 'reference', 17);
    const tensors = new Map([...sources].map(([id, s]) => [id, tf.tensor(s.data, s.shape)]));
    const expected = plainMorphnet(part, groups, sources, THRESHOLD);
    const reg = morphnetRegularizer(part, groups, tensors, THRESHOLD);
    assert.ok(Math.abs(reg.loss.dataSync()[0] - expected.loss) <= 1e-5 * expected.loss, `${reg.loss.dataSync()[0]} vs ${expected.loss}`);
    assert.equal(reg.aliveFlops(), expected.flops);
    reg.loss.dispose();
    tf.dispose([...tensors.values()]);
  });

  it('names a channel group the op list refers to but the groups lack', () => {
    const groups = channelGroups(tinyArch('reference'));
    const ops = opsOf(groups, { excludeClassifier: false }).map((op) => (op.id === 'fc' ? { ...op, outGroup: 'elsewhere' } : op));
    const sources = new Map([...randomSources(groups, 'reference', 19)].map(([id, s]) => [id, tf.tensor(s.data, s.shape)]));
    const before = tf.memory().numTensors;
    assert.throws(() => morphnetRegularizer(ops, groups, sources, THRESHOLD), /op list refers to channel group "elsewhere", which the channel groups do not have; build both from the same architecture/);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([...sources.values()]);
  });

  it('is 0 with no alive counts for an empty op list', () => {
    const groups = channelGroups(tinyArch('reference'));
    const before = tf.memory().numTensors;
    const reg = morphnetRegularizer([], groups, new Map(), THRESHOLD);
    assert.equal(reg.loss.dataSync()[0], 0);
    assert.deepEqual(reg.aliveCounts(), groupAliveCounts(groups, new Map()));
    assert.equal(reg.aliveFlops(), 0);
    reg.loss.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it('takes a conv kernel, a dense kernel or a γ vector as a channel source, and nothing else', () => {
    const width = 3;
    const value = (shape: number[]) => tf.tidy(() => Array.from(channelMagnitude(tf.ones(shape), 'x', width).dataSync()));
    assert.deepEqual(value([width]), [1, 1, 1]);
    assert.deepEqual(value([2, width]), [1, 1, 1]);
    assert.deepEqual(value([3, 3, 2, width]), [1, 1, 1]);
    for (const shape of [[3, 2, width], [1, 3, 3, 2, width], [2, 4], [4]]) {
      assert.throws(() => tf.tidy(() => channelMagnitude(tf.ones(shape), 'x', width)), new RegExp(`"x" has shape \\[${shape.join(',')}\\]; expected a conv kernel \\[k,k,in,3\\]`));
    }
  });

  it('names the op whose source is missing or has the wrong shape', () => {
    const arch = tinyArch('reference');
    const groups = channelGroups(arch);
    const ops = opsOf(groups, { excludeClassifier: false });
    const sources = randomSources(groups, 'reference', 9);
    const tensors = new Map([...sources].map(([id, s]) => [id, tf.tensor(s.data, s.shape)]));
    const before = tf.memory().numTensors;
    const missing = new Map(tensors);
    missing.delete('b.proj');
    assert.throws(() => morphnetRegularizer(ops, groups, missing, THRESHOLD), /no source tensor for "b.proj"/);
    const wrong = new Map(tensors);
    wrong.set('fc', tf.zeros([5, 4]));
    assert.throws(() => morphnetRegularizer(ops, groups, wrong, THRESHOLD), /"fc" has shape \[5,4\]/);
    wrong.get('fc')!.dispose();
    assert.equal(tf.memory().numTensors, before, 'a failed build frees what it made');
    tf.dispose([...tensors.values()]);
  });
});
