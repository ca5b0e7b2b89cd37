/**
 * The wasm backend's Winograd F(2×2, 3×3) convolutions (wasm-kernels/winograd.ts) against the cpu
 * backend's direct ones: forward, input and filter gradients, partial tiles at odd sizes, channel counts
 * that are padded to 4 and cropped, 'same', 'valid' and explicit padding.
 */
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradients } from '../../../src/trainer/backends/wasm-gradients';
import { winogradConfigs, winogradConv, winogradFilterGradient, winogradFits, WINOGRAD_MIN_CHANNELS } from '../../../src/trainer/backends/wasm-kernels/winograd';
import { relativeError, runOn, useBackend, values } from './compare';

interface Case {
  batch: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  pad: 'same' | 'valid' | number;
}

const CASES: Case[] = [
  { batch: 2, h: 8, w: 8, cin: 8, cout: 8, pad: 'same' },
  { batch: 3, h: 7, w: 9, cin: 16, cout: 16, pad: 'same' },
  { batch: 2, h: 5, w: 6, cin: 9, cout: 13, pad: 'same' },
  { batch: 2, h: 9, w: 7, cin: 12, cout: 20, pad: 'valid' },
  { batch: 1, h: 6, w: 5, cin: 8, cout: 10, pad: 1 },
  { batch: 2, h: 16, w: 16, cin: 32, cout: 24, pad: 'same' },
  { batch: 1, h: 2, w: 3, cin: 8, cout: 8, pad: 'same' },
];

function label(c: Case): string {
  return `batch ${c.batch}, ${c.h}×${c.w}×${c.cin} → ${c.cout}, pad ${c.pad}`;
}

function forwardAndInputGradient(c: Case): tf.Tensor[] {
  const x = tf.tensor4d(values(c.batch * c.h * c.w * c.cin, 1), [c.batch, c.h, c.w, c.cin]);
  const filter = tf.tensor4d(values(9 * c.cin * c.cout, 2), [3, 3, c.cin, c.cout]);
  const y = tf.conv2d(x, filter, 1, c.pad);
  const fused = tf.fused.conv2d({ x, filter, strides: 1, pad: c.pad });
  const bias = tf.tensor1d(values(c.cout, 4));
  const biasRelu = tf.fused.conv2d({ x, filter, strides: 1, pad: c.pad, bias, activation: 'relu' });
  // An activation the output transform does not apply goes to the package's kernel.
  const elu = tf.fused.conv2d({ x, filter, strides: 1, pad: c.pad, bias, activation: 'elu' });
  const dy = tf.tensor4d(values(y.size, 3), y.shape);
  const dx = tf.conv2dTranspose(dy, filter, [c.batch, c.h, c.w, c.cin], 1, c.pad);
  const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: c.pad, dataFormat: 'NHWC', filterShape: [3, 3, c.cin, c.cout] }) as tf.Tensor;
  return [y, fused, biasRelu, elu, dx, dw];
}

describe('wasm Winograd convolutions', () => {
  before(async () => {
    registerWasmGradients();
    await useBackend('wasm');
  });

  for (const c of CASES) {
    it(`forward, fused forward (with bias and ReLU), input and filter gradients match cpu: ${label(c)}`, async () => {
      const got = await runOn('wasm', () => forwardAndInputGradient(c));
      const want = await runOn('cpu', () => forwardAndInputGradient(c));
      ['conv2d', 'fused conv2d', 'fused conv2d + bias + relu', 'fused conv2d + bias + elu', 'input gradient', 'filter gradient'].forEach((name, i) => {
        const err = relativeError(got[i], want[i]);
        assert.ok(err <= 1e-5, `${name}: relative error ${err}`);
      });
    });
  }

  it('are what the registered Conv2D, FusedConv2D and Conv2DBackpropFilter run where they apply, and not below the channel bound or for 1×1 filters', async () => {
    await useBackend('wasm');
    assert.equal(tf.getKernel('Conv2D', 'wasm')?.kernelFunc, winogradConfigs[0].kernelFunc);
    const backend = tf.backend() as BackendWasm;
    const x = tf.tensor4d(values(2 * 8 * 8 * 16, 5), [2, 8, 8, 16]);
    const filter = tf.tensor4d(values(9 * 16 * 16, 6), [3, 3, 16, 16]);
    const registered = await tf.conv2d(x, filter, 1, 'same').data();
    const direct = winogradConv(backend, x, filter, { n: 2, h: 8, w: 8, cin: 16, ho: 8, wo: 8, cout: 16, padTop: 1, padLeft: 1 });
    const winograd = backend.typedArrayFromHeap(direct) as Float32Array;
    // Bit for bit: XNNPACK's direct sums would round differently.
    assert.deepEqual(Array.from(registered), Array.from(winograd));
    backend.disposeData(direct.dataId);
    const bias = tf.tensor1d(values(16, 8));
    const registeredFused = await tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias, activation: 'relu' }).data();
    const directFused = winogradConv(backend, x, filter, { n: 2, h: 8, w: 8, cin: 16, ho: 8, wo: 8, cout: 16, padTop: 1, padLeft: 1 }, { bias, relu: true });
    assert.deepEqual(Array.from(registeredFused), Array.from(backend.typedArrayFromHeap(directFused) as Float32Array));
    assert.ok(Array.from(registeredFused).some((v) => v === 0) && Array.from(registeredFused).some((v) => v > 0), 'the ReLU clipped some outputs');
    backend.disposeData(directFused.dataId);
    bias.dispose();
    const dy = tf.tensor4d(values(2 * 8 * 8 * 16, 7), [2, 8, 8, 16]);
    const registeredDw = await (tf.engine().runKernel('Conv2DBackpropFilter', { x, dy },
      { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 16, 16] }) as tf.Tensor).data();
    const directDw = winogradFilterGradient(backend, x, dy, { n: 2, h: 8, w: 8, cin: 16, ho: 8, wo: 8, cout: 16, padTop: 1, padLeft: 1 });
    assert.deepEqual(Array.from(registeredDw), Array.from(backend.typedArrayFromHeap(directDw) as Float32Array));
    backend.disposeData(directDw.dataId);
    tf.dispose([x, filter, dy]);
    assert.ok(winogradFits(3, 3, WINOGRAD_MIN_CHANNELS, WINOGRAD_MIN_CHANNELS, 2, 2));
    assert.ok(!winogradFits(3, 3, WINOGRAD_MIN_CHANNELS - 1, 64, 8, 8));
    assert.ok(!winogradFits(1, 1, 64, 64, 8, 8));
    assert.ok(!winogradFits(3, 3, 64, 64, 1, 8));
  });

  it('refuse an input gradient whose dy does not have the forward output\'s shape, before touching the heap', async () => {
    await useBackend('wasm');
    const dy = tf.zeros([2, 7, 8, 16]);
    const filter = tf.zeros([3, 3, 16, 16]);
    assert.throws(() => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter },
      { inputShape: [2, 8, 8, 16], strides: 1, pad: 'same', dataFormat: 'NHWC' }),
    /dy has shape \[2,7,8,16\] but an input \[2,8,8,16\] with filter \[3,3,16,16\] gives \[2,8,8,16\]/);
    tf.dispose([dy, filter]);
  });

  it('leave no tensors or heap buffers behind', async () => {
    await useBackend('wasm');
    const c = CASES[2];
    tf.dispose(tf.tidy(() => forwardAndInputGradient(c)));
    const before = tf.memory().numTensors;
    const backend = tf.backend() as BackendWasm;
    const ids = backend.numDataIds();
    tf.dispose(tf.tidy(() => forwardAndInputGradient(c)));
    assert.equal(tf.memory().numTensors, before);
    assert.equal(backend.numDataIds(), ids);
  });
});
