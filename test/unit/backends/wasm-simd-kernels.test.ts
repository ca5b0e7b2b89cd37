/**
 * The SIMD kernels of wasm/assembly on the wasm backend, against the cpu backend, where the
 * same ops run TF.js's own composition (tf.moments, the ten-op batch-norm gradient, step·dy).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradients } from '../../../src/trainer/backends/wasm-gradients';
import { kernelsFileCandidates, KERNELS_FILE } from '../../../src/trainer/backends/wasm-kernels/module';
import {
  BatchMoments,
  batchMoments,
  BatchNormGradInput,
  batchNormGradInput,
  BatchNormGradSums,
  batchNormGradSums,
} from '../../../src/trainer/model/batch-norm-ops';
import { ReluGrad, reluGradient } from '../../../src/trainer/model/relu-gradient';
import { relativeError, runOn, useBackend, values } from './compare';

// Channel counts below, at and past the 4-wide vectors; row counts below and past a 64-row chunk.
const SHAPES: number[][] = [[2, 3, 3, 1], [4, 5, 5, 3], [3, 7, 7, 4], [2, 9, 9, 17], [128, 8, 8, 16], [5, 130]];

function activation(shape: number[], seed: number, offset = 0): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.add(tf.tensor(values(size, seed), shape), offset);
}

function perChannel(shape: number[], seed: number, positive = false): tf.Tensor1D {
  const c = shape[shape.length - 1];
  const v = tf.tensor1d(values(c, seed));
  return (positive ? tf.add(tf.abs(v), 0.5) : v) as tf.Tensor1D;
}

function batchNormChain(shape: number[]): tf.Tensor[] {
  // An offset mean makes the variance pass's subtraction matter.
  const x = activation(shape, 11, 3);
  const dy = activation(shape, 12);
  const { mean, variance } = batchMoments(x);
  const invStd = tf.rsqrt(tf.add(variance, 1e-3)) as tf.Tensor1D;
  const { sumDy, sumDyXhat } = batchNormGradSums(dy, x, mean, invStd);
  const count = x.size / shape[shape.length - 1];
  const dx = batchNormGradInput(dy, x, mean, invStd, perChannel(shape, 13, true), sumDy, sumDyXhat, count);
  return [mean, variance, sumDy, sumDyXhat, dx];
}

describe('wasm SIMD kernels', () => {
  before(async () => {
    registerWasmGradients();
    await useBackend('wasm');
  });
  after(async () => {
    await useBackend('wasm');
  });

  it('are registered on wasm for the names the model looks for', () => {
    for (const name of [BatchMoments, BatchNormGradSums, BatchNormGradInput, ReluGrad]) {
      assert.ok(tf.getKernel(name, 'wasm'), `${name} is registered`);
    }
  });

  for (const shape of SHAPES) {
    it(`batch statistics and gradients match cpu for [${shape}]`, async () => {
      const got = await runOn('wasm', () => batchNormChain(shape));
      const want = await runOn('cpu', () => batchNormChain(shape));
      const names = ['mean', 'variance', 'Σdy', 'Σdy·x̂', 'dx'];
      got.forEach((g, i) => assert.ok(relativeError(g, want[i]) <= 1e-4, `${names[i]}: relative error ${relativeError(g, want[i])}`));
    });

    it(`ReLU gradient matches cpu for [${shape}]`, async () => {
      const compute = (): tf.Tensor[] => [reluGradient(activation(shape, 21), activation(shape, 22))];
      const [got] = await runOn('wasm', compute);
      const [want] = await runOn('cpu', compute);
      assert.deepEqual(Array.from(got), Array.from(want));
    });
  }

  it('FusedBatchNorm matches cpu with and without offset and scale, and hands other shapes to the package kernel', async () => {
    const shape = [3, 5, 5, 6];
    const compute = (): tf.Tensor[] => {
      const x = activation(shape, 51, 2);
      const mean = perChannel(shape, 52);
      const variance = perChannel(shape, 53, true);
      const full = tf.batchNorm(x, mean, variance, perChannel(shape, 54), perChannel(shape, 55), 1e-3);
      const bare = tf.batchNorm(x, mean, variance, undefined, undefined, 1e-3);
      // Statistics of x's own shape are not per channel: the package's kernel takes them.
      const elementwise = tf.batchNorm(x, activation(shape, 56), tf.add(tf.abs(activation(shape, 57)), 0.5), undefined, undefined, 1e-3);
      return [full, bare, elementwise];
    };
    const got = await runOn('wasm', compute);
    const want = await runOn('cpu', compute);
    got.forEach((g, i) => assert.ok(relativeError(g, want[i]) <= 1e-4, `case ${i}: relative error ${relativeError(g, want[i])}`));
  });

  it('ReLU gradient is zero where x is zero or negative, and NaN where x is NaN (as TF.js step)', async () => {
    const [got] = await runOn('wasm', () => [reluGradient(tf.tensor1d([5, 6, 7, 8, 9]), tf.tensor1d([0, -1, NaN, 2, -0]))]);
    assert.deepEqual(Array.from(got), [0, 0, NaN, 8, 0]);
  });

  it('keeps its sums accurate over a whole batch of a large activation', async () => {
    // 131,072 rows of one channel around 1000: a plain float32 running sum drifts by more than
    // the variance's tolerance here; the chunked float64 totals do not.
    const shape = [128, 32, 32, 1];
    const compute = (): tf.Tensor[] => {
      const { mean, variance } = batchMoments(activation(shape, 31, 1000));
      return [mean, variance];
    };
    const [mean, variance] = await runOn('wasm', compute);
    const x = values(128 * 32 * 32, 31);
    let sum = 0;
    for (const v of x) sum += v + 1000;
    const exactMean = sum / x.length;
    let squares = 0;
    for (const v of x) squares += (v + 1000 - exactMean) ** 2;
    assert.ok(Math.abs(mean[0] - exactMean) / exactMean < 1e-6, `mean ${mean[0]} vs ${exactMean}`);
    assert.ok(Math.abs(variance[0] - squares / x.length) / (squares / x.length) < 1e-3, `variance ${variance[0]} vs ${squares / x.length}`);
  });

  it('reject inputs whose sizes do not fit, before touching the heap', async () => {
    await useBackend('wasm');
    const x = tf.zeros([2, 3, 4]);
    assert.throws(() => tf.engine().runKernel(BatchNormGradSums, { dy: tf.zeros([2, 3, 5]), x, mean: tf.zeros([4]), invStd: tf.zeros([4]) }),
      /dy has shape \[2,3,5\] but x has \[2,3,4\]/);
    assert.throws(() => tf.engine().runKernel(BatchNormGradInput,
      { dy: x, x, mean: tf.zeros([4]), invStd: tf.zeros([4]), gamma: tf.zeros([3]), sumDy: tf.zeros([4]), sumDyXhat: tf.zeros([4]) }, { count: 6 }),
    /gamma has shape \[3\] but must have 4 values/);
    assert.throws(() => tf.engine().runKernel(ReluGrad, { a: tf.zeros([7]), b: tf.zeros([8]) }), /dy has shape \[7\] but x has \[8\]/);
    assert.throws(() => tf.engine().runKernel(BatchMoments, { x: tf.zeros([4], 'int32') }), /only float32 is supported/);
  });

  it('leave no tensors or heap buffers behind, scratch and channel padding included', async () => {
    await useBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const shape = [3, 5, 5, 5];
    const inputs = tf.tidy(() => ({ x: activation(shape, 41), dy: activation(shape, 42), dyConv: activation([3, 5, 5, 5], 43) }));
    const tensorsBefore = tf.memory().numTensors;
    const buffersBefore = backend.numDataIds();
    const results = [
      ...tf.engine().runKernel(BatchMoments, { x: inputs.x }) as tf.Tensor[],
      tf.engine().runKernel(ReluGrad, { a: inputs.dy, b: inputs.x }) as tf.Tensor,
      // Five output channels: the kernel pads dy to eight and crops the result.
      tf.engine().runKernel('Conv2DBackpropFilter', { x: inputs.x, dy: inputs.dyConv },
        { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 5, 5] }) as tf.Tensor,
    ];
    assert.equal(tf.memory().numTensors, tensorsBefore + results.length);
    assert.equal(backend.numDataIds(), buffersBefore + results.length);
    tf.dispose(results);
    assert.equal(backend.numDataIds(), buffersBefore);
    tf.dispose(inputs);
  });

  it('clone shares the heap buffer, which lives until the last reference is disposed', async () => {
    await useBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const buffersBefore = backend.numDataIds();
    const copy = tf.clone(x);
    assert.equal(backend.numDataIds(), buffersBefore, 'no new buffer');
    x.dispose();
    assert.deepEqual(Array.from(await copy.data()), [1, 2, 3, 4]);
    copy.dispose();
    assert.equal(backend.numDataIds(), buffersBefore - 1, 'freed with the last reference');
    const words = tf.clone(tf.tensor1d(['a', 'b'], 'string'));
    assert.deepEqual(await words.data(), ['a', 'b']);
  });

  it('instantiate without writing a byte of the memory they share with the backend', () => {
    // A data segment (a string constant, a static array) would be copied into the imported
    // memory at instantiation, over whatever the backend keeps there.
    const file = kernelsFileCandidates().find((candidate) => fs.existsSync(candidate));
    assert.ok(file, 'the kernels are built (npm run build)');
    const memory = new WebAssembly.Memory({ initial: 4 });
    const bytes = new Uint8Array(memory.buffer);
    bytes.fill(0xa5);
    new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file)), { env: { memory } });
    assert.equal(memory.buffer.byteLength, 4 * 65536, 'the memory did not grow');
    assert.ok(bytes.every((b) => b === 0xa5), 'every byte is as it was');
  });

  it('look for the compiled module next to the bundle, then in dist/ folders above it and above the wasm package', () => {
    const candidates = kernelsFileCandidates(['/opt/ext/dist', '/opt/ext/node_modules/@tensorflow/tfjs-backend-wasm/dist']);
    assert.equal(candidates[0], `/opt/ext/dist/${KERNELS_FILE}`);
    assert.ok(candidates.includes(`/opt/ext/${KERNELS_FILE}`));
    assert.ok(candidates.includes(`/opt/ext/node_modules/@tensorflow/tfjs-backend-wasm/dist/${KERNELS_FILE}`));
    assert.equal(new Set(candidates).size, candidates.length, 'no folder is looked in twice');
  });
});
