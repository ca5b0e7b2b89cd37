/** The one-pass ReLU gradient against TF.js's own step·mul, on cpu and on the native kernel. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { installReluGradient, ReluGrad, reluGradient } from '../../../src/trainer/model/relu-gradient';
import { countAddonCalls, useNativeBackend } from '../native/helpers';

const values = [-2, -0.5, -0, 0, 1e-30, 0.5, 3, Number.NaN];

function composed(dy: tf.Tensor, x: tf.Tensor): number[] {
  return Array.from(tf.mul(dy, tf.cast(tf.step(x), 'float32')).dataSync());
}

describe('ReLU gradient', () => {
  before(useNativeBackend);
  after(() => tf.setBackend('native'));

  for (const backend of ['cpu', 'native']) {
    it(`${backend}: equals dy·step(x), zeros, negative zero and NaN included`, async () => {
      await tf.setBackend(backend);
      const x = tf.tensor1d(values);
      const dy = tf.tensor1d(values.map((_, i) => (i % 3 === 0 ? -1.5 : 2.25)));
      assert.deepEqual(Array.from(reluGradient(dy, x).dataSync()), composed(dy, x));
    });

    it(`${backend}: differentiating tf.relu goes through it once installed`, async () => {
      await tf.setBackend(backend);
      installReluGradient();
      const x = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 3);
      const w = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 4);
      const gradient = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), w)))(x).dataSync();
      assert.deepEqual(Array.from(gradient), composed(w, x));
    });
  }

  it('native: one addon call per gradient', async () => {
    await tf.setBackend('native');
    const x = tf.randomNormal([4, 8, 8, 16], 0, 1, 'float32', 5);
    const dy = tf.randomNormal([4, 8, 8, 16], 0, 1, 'float32', 6);
    const calls = await countAddonCalls('binary', async () => {
      reluGradient(dy, x).dataSync();
    });
    assert.equal(calls, 1);
    installReluGradient();
    const unaryCalls = await countAddonCalls('unary', async () => {
      tf.grad((v: tf.Tensor) => tf.sum(tf.relu(v)))(x).dataSync();
    });
    assert.equal(unaryCalls, 1, 'the forward ReLU only: no separate step pass in the gradient');
  });

  it('native: int32 inputs, which the kernel does not take, go through TF.js\'s ops', async () => {
    await tf.setBackend('native');
    const dy = tf.tensor1d([1.5, 2, 3, -1]);
    const ints = tf.tensor1d([-2, 0, 3, 5], 'int32');
    assert.deepEqual(Array.from(reluGradient(dy, ints).dataSync()), composed(dy, ints));
    assert.deepEqual(Array.from(reluGradient(tf.tensor1d([1, 2, 3, 4], 'int32'), dy).dataSync()), [1, 2, 3, 0]);
  });

  it('installing replaces the gradient TF.js differentiates tf.relu with (in a fresh process, where nothing installed it yet)', async function () {
    this.timeout(60_000);
    // Once installed, the gradient stays registered in this process's TF.js; a new process starts without it.
    installReluGradient();
    const script = `
      const tf = require('@tensorflow/tfjs');
      const { registerNativeBackend } = require(${JSON.stringify(join(__dirname, '..', '..', '..', 'src', 'trainer', 'backends', 'native'))});
      const { installReluGradient } = require(${JSON.stringify(join(__dirname, '..', '..', '..', 'src', 'trainer', 'model', 'relu-gradient'))});
      const kernels = async () => (await tf.profile(() => tf.grad((v) => tf.sum(tf.mul(tf.relu(v), 2)))(tf.tensor1d([-1, 0.5, 2])).dataSync())).kernels.map((k) => k.name);
      (async () => {
        await registerNativeBackend();
        await tf.setBackend('native');
        const before = await kernels();
        installReluGradient();
        const after = await kernels();
        const gradient = Array.from(tf.grad((v) => tf.sum(tf.mul(tf.relu(v), 2)))(tf.tensor1d([-1, 0.5, 2])).dataSync());
        process.stdout.write(JSON.stringify({ before, after, gradient }));
      })();`;
    // Under mutation testing (README, "Mutation testing") the mutant under test is switched on in this
    // process only; StrykerJS's instrumented code reads it from this variable in a child process.
    const activeMutant = (globalThis as { __stryker__?: { activeMutant?: string } }).__stryker__?.activeMutant;
    const env = activeMutant === undefined ? process.env : { ...process.env, __STRYKER_ACTIVE_MUTANT__: activeMutant };
    const { stdout } = await promisify(execFile)(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: join(__dirname, '..', '..', '..'), env });
    const { before, after, gradient } = JSON.parse(stdout) as { before: string[]; after: string[]; gradient: number[] };
    assert.ok(before.includes('Step') && !before.includes(ReluGrad), `before: ${before}`);
    assert.ok(after.includes(ReluGrad) && !after.includes('Step'), `after: ${after}`);
    assert.deepEqual(gradient, [0, 2, 2]);
  });
});
