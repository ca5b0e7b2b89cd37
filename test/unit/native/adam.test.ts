/**
 * The one-pass Adam (src/trainer/train/one-pass-adam.ts): on the native backend each variable's
 * update is one ResBuilderAdamStep kernel, stepping as tf.train.adam does on the cpu backend
 * (the reference); its state continues on TF.js's Adam and back; on a backend without the
 * kernel it is tf.train.adam to the bit.
 */
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { CONFIG_DEFAULTS } from '../../../src/core/config/defaults';
import { AdamStep, OnePassAdam } from '../../../src/trainer/train/one-pass-adam';
import { createOptimizer, restoreOptimizerState, saveOptimizerState, setLearningRate } from '../../../src/trainer/train/optimizer';
import { randomValues, relativeError, useNativeBackend } from './helpers';

const SHAPES = [[3, 3, 4, 8], [8], [8], [72, 10]];
const TOLERANCE = 1e-5;
const LEARNING_RATE = 1e-2;
let made = 0;

/** Fresh variables with the same start values on whichever backend is active. */
function variables(): tf.Variable[] {
  made += 1;
  return SHAPES.map((shape, i) => tf.variable(tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), 11 + i), shape), true, `adam_test_${made}_${i}`));
}

/** The gradients of step `step`, one per variable (absent where `skip` says). */
function gradients(vars: tf.Variable[], step: number, skip: readonly number[] = []): { name: string; tensor: tf.Tensor }[] {
  return vars.flatMap((v, i) => (skip.includes(i) ? [] : [{ name: v.name, tensor: tf.tensor(randomValues(v.size, 1000 * step + i + 1), v.shape) }]));
}

function step(optimizer: tf.Optimizer, vars: tf.Variable[], index: number, skip: readonly number[] = []): void {
  const grads = gradients(vars, index, skip);
  optimizer.applyGradients(grads);
  tf.dispose(grads.map((g) => g.tensor));
}

function rateAt(index: number): number {
  return LEARNING_RATE * (index < 15 ? 1 : 0.1);
}

/** Runs steps [from, to) with the schedule above. */
function run(optimizer: tf.Optimizer, vars: tf.Variable[], from: number, to: number): void {
  for (let i = from; i < to; i++) {
    setLearningRate(optimizer, rateAt(i));
    step(optimizer, vars, i);
  }
}

function values(vars: tf.Variable[]): Float32Array[] {
  return vars.map((v) => v.dataSync() as Float32Array);
}

function assertClose(actual: ArrayLike<number>[], expected: ArrayLike<number>[], what: string): void {
  expected.forEach((e, i) => {
    const error = relativeError(actual[i], e);
    assert.ok(error <= TOLERANCE, `${what} ${i}: relative error ${error}`);
  });
}

/** Values and state after `steps` steps of tf.train.adam on the cpu backend. */
async function reference(steps: number): Promise<{ values: Float32Array[]; state: Awaited<ReturnType<typeof saveOptimizerState>> }> {
  await tf.setBackend('cpu');
  const vars = variables();
  const adam = tf.train.adam(LEARNING_RATE);
  run(adam, vars, 0, steps);
  const result = { values: values(vars), state: await saveOptimizerState(adam) };
  adam.dispose();
  tf.dispose(vars);
  return result;
}

describe('one-pass Adam', () => {
  const training = { ...CONFIG_DEFAULTS.training, optimizer: 'adam' as const, learningRate: LEARNING_RATE };

  it('on native: one kernel per variable, the weights and state of tf.train.adam on cpu over 30 steps', async () => {
    const expected = await reference(30);
    await useNativeBackend();
    const vars = variables();
    const optimizer = createOptimizer(training);
    assert.ok(optimizer instanceof OnePassAdam);
    run(optimizer, vars, 0, 29);
    setLearningRate(optimizer, rateAt(29));
    const profile = await tf.profile(() => step(optimizer, vars, 29));
    const kernels = profile.kernels.map((k) => k.name);
    assert.equal(kernels.filter((k) => k === AdamStep).length, SHAPES.length, `kernels of a step: ${kernels.join(', ')}`);
    assert.ok(!kernels.includes('Sqrt'), 'no elementwise Adam kernels ran');
    const start = variables();
    assert.ok(relativeError(values(vars)[3], values(start)[3]) > 0.01, 'the steps hardly moved the weights');
    assertClose(values(vars), expected.values, 'variable');
    const state = await saveOptimizerState(optimizer);
    assert.deepEqual(state.map((a) => [a.name.replace(/adam_test_\d+_/, ''), a.dtype, a.shape]), expected.state.map((a) => [a.name.replace(/adam_test_\d+_/, ''), a.dtype, a.shape]));
    assertClose(state.map((a) => a.data), expected.state.map((a) => a.data), `state`);
    optimizer.dispose();
    tf.dispose([...vars, ...start]);
  });

  it('a state saved on native continues on tf.train.adam on cpu, and the other way round', async () => {
    const expected = await reference(12);
    await useNativeBackend();
    const vars = variables();
    const first = createOptimizer(training);
    run(first, vars, 0, 6);
    const saved = await saveOptimizerState(first);
    const midway = values(vars);
    await tf.setBackend('cpu');
    const cpuVars = variables();
    cpuVars.forEach((v, i) => v.assign(tf.tensor(midway[i], v.shape)));
    const adam = tf.train.adam(LEARNING_RATE);
    // Slots go by position: the names in the state need not match.
    await restoreOptimizerState(adam, saved);
    run(adam, cpuVars, 6, 9);
    const handBack = await saveOptimizerState(adam);
    const atNine = values(cpuVars);
    await useNativeBackend();
    const resumed = variables();
    resumed.forEach((v, i) => v.assign(tf.tensor(atNine[i], v.shape)));
    const second = createOptimizer(training);
    await restoreOptimizerState(second, handBack);
    run(second, resumed, 9, 12);
    assertClose(values(resumed), expected.values, 'variable');
    for (const o of [first, second]) o.dispose();
    adam.dispose();
    tf.dispose([...vars, ...resumed]);
    await tf.setBackend('cpu');
    tf.dispose(cpuVars);
  });

  it('on native: a variable without a gradient keeps its value and its moments', async () => {
    await useNativeBackend();
    const vars = variables();
    const optimizer = createOptimizer(training);
    step(optimizer, vars, 0);
    // As TF.js's Adam, slots go by position in the list of gradients: the one left out is the last.
    const last = SHAPES.length - 1;
    const slotsOfLast = async () => (await saveOptimizerState(optimizer)).filter((a) => a.name.includes(`_${last}/`)).map((a) => a.data.slice());
    const before = values(vars);
    const slotsBefore = await slotsOfLast();
    assert.equal(slotsBefore.length, 2);
    step(optimizer, vars, 1, [last]);
    const after = values(vars);
    assert.deepEqual(after[last], before[last]);
    assert.deepEqual(await slotsOfLast(), slotsBefore);
    assert.ok(relativeError(after[0], before[0]) > 0, 'the other variables moved');
    optimizer.dispose();
    tf.dispose(vars);
  });

  it('on a backend without the kernel (cpu): tf.train.adam to the bit', async () => {
    const expected = await reference(20);
    const vars = variables();
    const optimizer = createOptimizer(training);
    run(optimizer, vars, 0, 20);
    assert.deepEqual(values(vars), expected.values);
    optimizer.dispose();
    tf.dispose(vars);
  });
});
