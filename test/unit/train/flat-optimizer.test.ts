/**
 * The workers' optimizer on flat arrays against TF.js's own Adam and SGD with momentum (the cpu
 * backend as reference): the same weights step after step, the same state for checkpoints, and
 * a state from either one continues on the other.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { CONFIG_DEFAULTS } from '../../../src/core/config/defaults';
import type { TrainingConfig } from '../../../src/core/config/types';
import { Rng } from '../../../src/core/rng';
import { createFlatOptimizer, flatLength, segmentsOf, type FlatOptimizer } from '../../../src/trainer/train/flat-optimizer';
import { createOptimizer, restoreOptimizerState, saveOptimizerState, setLearningRate } from '../../../src/trainer/train/optimizer';

const SHAPES = [[3, 3, 2, 4], [4], [5, 3]];
const TOLERANCE = 1e-5;

function randomArray(rng: Rng, length: number, scale: number): Float32Array {
  return Float32Array.from({ length }, () => (rng.next() * 2 - 1) * scale);
}

function maxRelativeDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let scale = 1e-12;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
  }
  return diff / scale;
}

/** TF.js variables, a flat copy of their values, and a gradient source shared by both sides. */
function setUp(seed: number) {
  const rng = new Rng(seed, 'flat-optimizer');
  const variables = SHAPES.map((shape, i) => tf.variable(tf.tensor(randomArray(rng, shape.reduce((a, b) => a * b, 1), 1), shape), true, `w${seed}_${i}`));
  const segments = segmentsOf(variables);
  const params = new Float32Array(flatLength(segments));
  variables.forEach((v, i) => params.set(v.dataSync() as Float32Array, segments[i].offset));
  const gradients = () => randomArray(rng, params.length, 0.5);
  return { variables, segments, params, gradients };
}

function tfStep(optimizer: tf.Optimizer, variables: tf.Variable[], flat: Float32Array, segments: ReturnType<typeof segmentsOf>, present = variables.map(() => true)): void {
  const named = variables
    .map((v, i) => ({ name: v.name, tensor: tf.tensor(flat.slice(segments[i].offset, segments[i].offset + segments[i].size), v.shape) }))
    .filter((_, i) => present[i]);
  optimizer.applyGradients(named);
  for (const g of named) g.tensor.dispose();
}

function valuesOf(variables: tf.Variable[]): Float32Array {
  return Float32Array.from(variables.flatMap((v) => Array.from(v.dataSync())));
}

/** Steps TF.js and the flat optimizer on the same gradients and asserts the same weights after. */
function stepBothAlike(reference: tf.Optimizer, flat: FlatOptimizer, set: ReturnType<typeof setUp>, rate: number, steps: number): void {
  for (let step = 0; step < steps; step++) {
    const g = set.gradients();
    tfStep(reference, set.variables, g, set.segments);
    flat.step(set.params, g, rate);
  }
  assert.ok(maxRelativeDifference(set.params, valuesOf(set.variables)) <= TOLERANCE, `weights differ by ${maxRelativeDifference(set.params, valuesOf(set.variables))}`);
}

describe('flat optimizer (the workers\' update) against TF.js', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const optimizer of ['adam', 'sgd'] as const) {
    const training: TrainingConfig = { ...CONFIG_DEFAULTS.training, optimizer, momentum: 0.9, learningRate: optimizer === 'adam' ? 1e-2 : 5e-2 };

    it(`${optimizer}: the same weights and state as TF.js over 30 steps with a changing rate`, async () => {
      const { variables, segments, params, gradients } = setUp(optimizer === 'adam' ? 1 : 2);
      const reference = createOptimizer(training);
      const flat = createFlatOptimizer(training, segments);
      const start = valuesOf(variables);
      for (let step = 0; step < 30; step++) {
        const rate = training.learningRate * (step < 15 ? 1 : 0.1);
        setLearningRate(reference, rate);
        const g = gradients();
        tfStep(reference, variables, g, segments);
        flat.step(params, g, rate);
      }
      const expected = valuesOf(variables);
      assert.ok(maxRelativeDifference(expected, start) > 0.05, 'the steps hardly moved the weights');
      assert.ok(maxRelativeDifference(params, expected) <= TOLERANCE, `weights differ by ${maxRelativeDifference(params, expected)}`);
      const want = await saveOptimizerState(reference);
      const got = flat.state();
      assert.deepEqual(got.map((a) => [a.name, a.dtype, a.shape]), want.map((a) => [a.name, a.dtype, a.shape]));
      got.forEach((a, i) => assert.ok(maxRelativeDifference(a.data, want[i].data) <= TOLERANCE, `${a.name} differs`));
      reference.dispose();
    });

    it(`${optimizer}: a TF.js checkpoint continues on the flat optimizer, and back`, async () => {
      const { variables, segments, params, gradients } = setUp(optimizer === 'adam' ? 3 : 4);
      const reference = createOptimizer(training);
      for (let step = 0; step < 7; step++) tfStep(reference, variables, gradients(), segments);
      const flat = createFlatOptimizer(training, segments);
      flat.restore(await saveOptimizerState(reference));
      params.set(valuesOf(variables));
      stepBothAlike(reference, flat, { variables, segments, params, gradients }, training.learningRate, 5);
      // The flat state restores into a fresh TF.js optimizer, which then steps like the flat one.
      const resumed = createOptimizer(training);
      await restoreOptimizerState(resumed, flat.state());
      const g = gradients();
      tfStep(resumed, variables, g, segments);
      flat.step(params, g, training.learningRate);
      assert.ok(maxRelativeDifference(params, valuesOf(variables)) <= TOLERANCE);
      reference.dispose();
      resumed.dispose();
    });

    it(`${optimizer}: a variable without a gradient keeps its value and slots, as in TF.js`, async () => {
      const { variables, segments, params, gradients } = setUp(optimizer === 'adam' ? 5 : 6);
      const reference = createOptimizer(training);
      const flat = createFlatOptimizer(training, segments);
      // TF.js keeps slots by position in the list it is given, so the skipped variable is the last.
      const present = [true, true, false];
      const before = params.slice(segments[2].offset);
      for (let step = 0; step < 2; step++) {
        const g = gradients();
        tfStep(reference, variables, g, segments, step === 0 ? undefined : present);
        flat.step(params, g, training.learningRate, step === 0 ? undefined : present);
      }
      assert.ok(maxRelativeDifference(params, valuesOf(variables)) <= TOLERANCE);
      assert.ok(maxRelativeDifference(params.slice(segments[2].offset), before) > 0, 'the first step, with all gradients, moved the last variable');
      const third = params.slice(segments[2].offset);
      flat.step(params, gradients(), training.learningRate, present);
      assert.deepEqual(params.slice(segments[2].offset), third);
      reference.dispose();
    });
  }

  for (const optimizer of ['adam', 'sgd'] as const) {
    it(`${optimizer}: the state of a TF.js optimizer that never stepped (no slots) continues like TF.js`, async () => {
      const training: TrainingConfig = { ...CONFIG_DEFAULTS.training, optimizer, momentum: 0.9, learningRate: 1e-2 };
      const set = setUp(optimizer === 'adam' ? 8 : 9);
      const reference = createOptimizer(training);
      const saved = await saveOptimizerState(reference);
      assert.ok(saved.every((a) => a.name === 'iter' || a.name.startsWith('adam:')), 'a fresh TF.js optimizer saves no slots');
      const flat = createFlatOptimizer(training, set.segments);
      flat.restore(saved);
      stepBothAlike(reference, flat, set, training.learningRate, 3);
      reference.dispose();
    });
  }

  it('adam: restores the saved running powers as they are, and without them recomputes TF.js\'s pow(β, t + 1)', async () => {
    const training: TrainingConfig = { ...CONFIG_DEFAULTS.training, optimizer: 'adam', learningRate: 1e-2 };
    const set = setUp(10);
    const { variables, segments, params, gradients } = set;
    const reference = createOptimizer(training);
    for (let step = 0; step < 6; step++) tfStep(reference, variables, gradients(), segments);
    params.set(valuesOf(variables));
    const saved = await saveOptimizerState(reference);

    // The saved powers come back bit for bit, whatever they hold, with the iteration count.
    const marked = saved.map((a) => (a.name === 'adam:accBeta1' ? { ...a, data: Float32Array.of(0.25) } : a.name === 'adam:accBeta2' ? { ...a, data: Float32Array.of(0.75) } : a));
    const exact = createFlatOptimizer(training, segments);
    exact.restore(marked);
    const state = exact.state();
    assert.deepEqual(state.map((a) => [a.name, Array.from(a.data)]).filter(([name]) => name === 'iter' || String(name).startsWith('adam:')), [['iter', [6]], ['adam:accBeta1', [0.25]], ['adam:accBeta2', [0.75]]]);

    // A state without them (an older checkpoint) continues as TF.js continues it.
    const withoutPowers = saved.filter((a) => !a.name.startsWith('adam:'));
    const resumed = createOptimizer(training);
    await restoreOptimizerState(resumed, withoutPowers);
    const flat = createFlatOptimizer(training, segments);
    flat.restore(withoutPowers);
    const powers = flat.state().filter((a) => a.name.startsWith('adam:')).map((a) => a.data[0]);
    assert.deepEqual(powers, [Math.fround(0.9 ** 7), Math.fround(0.999 ** 7)]);
    stepBothAlike(resumed, flat, set, training.learningRate, 3);
    reference.dispose();
    resumed.dispose();
  });

  it('lays variables end to end in the flat arrays', () => {
    const segments = segmentsOf([{ name: 'a', shape: [2, 3] }, { name: 'b', shape: [] }, { name: 'c', shape: [4] }]);
    assert.deepEqual(segments, [
      { name: 'a', shape: [2, 3], offset: 0, size: 6 },
      { name: 'b', shape: [], offset: 6, size: 1 },
      { name: 'c', shape: [4], offset: 7, size: 4 },
    ]);
    assert.equal(flatLength(segments), 11);
    assert.equal(flatLength([]), 0);
  });

  it('refuses a state that belongs to another network, naming the slot', () => {
    const { segments } = setUp(7);
    const training: TrainingConfig = { ...CONFIG_DEFAULTS.training, optimizer: 'adam' };
    const flat = createFlatOptimizer(training, segments);
    const other = createFlatOptimizer(training, segmentsOf([{ name: 'x', shape: [2] }]));
    assert.throws(() => flat.restore(other.state()), /2 slots for 3 variables/);
    const state = flat.state();
    state[1] = { ...state[1], data: new Float32Array(5) };
    assert.throws(() => flat.restore(state), /slot "w7_0\/m" holds 5 values, but variable "w7_0" has 72/);
    assert.throws(() => flat.restore(state.slice(1)), /iteration count/);
    assert.throws(() => flat.restore([]), /does not start with its iteration count/);
  });
});
