import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { profileStep } from '../../../bench/lib/profile';

const OUTER = 'BenchProfileTestOuter';

describe('bench:engine step profile', () => {
  let a: tf.Tensor;
  let b: tf.Tensor;

  before(async () => {
    await tf.setBackend('cpu');
    a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    b = tf.tensor1d([1, 1, 1]);
    // A kernel that runs another kernel through the engine, as a CPU fallback kernel may.
    tf.registerKernel({
      kernelName: OUTER,
      backendName: 'cpu',
      kernelFunc: ({ inputs }) => {
        const { x } = inputs as { x: tf.Tensor };
        const sum = tf.engine().runKernel('Add', { a: x, b: x }) as tf.Tensor;
        return { dataId: sum.dataId, shape: sum.shape, dtype: sum.dtype };
      },
    });
  });

  after(() => {
    tf.unregisterKernel(OUTER, 'cpu');
    tf.dispose([a, b]);
  });

  it('counts each kernel call of a step, averaged over the steps, with the slowest call\'s input shapes', async () => {
    const profile = await profileStep(() => tf.tidy(() => tf.mul(tf.mul(tf.add(a, b), a), 2).dataSync()), 10, 4);
    const byName = new Map(profile.top.map((row) => [row.kernel, row]));
    assert.equal(byName.get('Add')?.calls, 1);
    assert.equal(byName.get('Multiply')?.calls, 2);
    assert.deepEqual(byName.get('Add')?.slowest.inputShapes, [[2, 3], [3]]);
    assert.equal(profile.kernelCalls, 3);
    const shares = profile.top.reduce((sum, row) => sum + row.share, 0);
    assert.ok(Math.abs(shares - 1) < 1e-9, `shares sum to ${shares}`);
    assert.ok(profile.kernelMs <= profile.wallMs, `kernels ${profile.kernelMs} ms within a ${profile.wallMs} ms step`);
  });

  it('times a kernel that runs others once, at the outermost call', async () => {
    const profile = await profileStep(() => tf.tidy(() => (tf.engine().runKernel(OUTER, { x: a }) as tf.Tensor).dataSync()), 10, 2);
    assert.deepEqual(profile.top.map((row) => [row.kernel, row.calls]), [[OUTER, 1]]);
  });

  it('leaves the first step untimed (it refills the backend\'s buffers after other work)', async () => {
    let calls = 0;
    const profile = await profileStep(() => tf.tidy(() => (calls++ === 0 ? tf.sub(a, b) : tf.add(a, b)).dataSync()), 10, 2);
    assert.equal(calls, 3);
    assert.deepEqual(profile.top.map((row) => [row.kernel, row.calls]), [['Add', 1]]);
  });

  it('keeps the top rows, slowest first', async () => {
    const profile = await profileStep(() => tf.tidy(() => tf.sub(tf.mul(tf.add(a, b), a), 1).dataSync()), 2, 1);
    assert.equal(profile.top.length, 2);
    assert.ok(profile.top[0].ms >= profile.top[1].ms);
  });

  it('puts the backend\'s own kernels back, also when the step throws', async () => {
    const before = tf.getKernel('Add', 'cpu')!.kernelFunc;
    await assert.rejects(profileStep(() => { tf.add(a, b).dispose(); throw new Error('step failed'); }), /step failed/);
    assert.equal(tf.getKernel('Add', 'cpu')!.kernelFunc, before);
    const profile = await profileStep(() => tf.tidy(() => tf.add(a, b).dataSync()), 10, 1);
    assert.equal(profile.top.length, 1);
    assert.equal(tf.getKernel('Add', 'cpu')!.kernelFunc, before);
  });
});
