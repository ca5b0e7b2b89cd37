import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { conv2DBackpropInputConfig } from '../../../src/trainer/backends/wasm-kernels/conv-input-grad';
import { registerWasmGradients } from '../../../src/trainer/backends/wasm-gradients';
import { simdConv2DBackpropFilterConfig } from '../../../src/trainer/backends/wasm-kernels/conv-filter-grad';
import { relativeError, runOn, useBackend, values } from './compare';

// A number is an explicit padding on every side.
type Pad = 'same' | 'valid' | number;
interface Case {
  batch: number;
  size: number;
  cin: number;
  cout: number;
  k: number;
  stride: number;
  pad: Pad;
}

const cases: Case[] = [];
for (const k of [1, 3, 7]) {
  for (const stride of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) {
      // Odd sizes (7, 15) leave rows the strided forward pass never reads; 8 gives an even one.
      for (const [batch, size] of [[1, 7], [3, 15], [2, 8]]) {
        cases.push({ batch, size, cin: 3, cout: 4, k, stride, pad });
      }
    }
  }
}
// Channel counts around the SIMD filter-gradient's tiles (4 input × 8 output channels): full
// tiles, a 4-wide last block, input channels past a multiple of 4, and output channels that
// are padded to a multiple of 4 and cropped again (the widths a MorphNet resize leaves).
for (const [cin, cout] of [[4, 8], [8, 12], [5, 16], [9, 13], [1, 3], [16, 5]]) {
  cases.push({ batch: 2, size: 9, cin, cout, k: 3, stride: 1, pad: 'same' });
  cases.push({ batch: 2, size: 10, cin, cout, k: 3, stride: 2, pad: 'same' });
}
// A padding larger than the filter: the stride-1 input gradient cannot be a convolution with
// the filter's own padding there (it would need a negative one) and takes the scatter kernel.
cases.push({ batch: 2, size: 6, cin: 5, cout: 4, k: 3, stride: 1, pad: 3 });
cases.push({ batch: 2, size: 7, cin: 4, cout: 8, k: 1, stride: 1, pad: 2 });

function outSize(c: Case): number {
  if (c.pad === 'same') return Math.ceil(c.size / c.stride);
  const pad = c.pad === 'valid' ? 0 : c.pad;
  return Math.floor((c.size + 2 * pad - c.k) / c.stride) + 1;
}

function gradients(c: Case): tf.Tensor[] {
  const x = tf.tensor4d(values(c.batch * c.size * c.size * c.cin, 1), [c.batch, c.size, c.size, c.cin]);
  const w = tf.tensor4d(values(c.k * c.k * c.cin * c.cout, 2), [c.k, c.k, c.cin, c.cout]);
  const o = outSize(c);
  const dy = tf.tensor4d(values(c.batch * o * o * c.cout, 3), [c.batch, o, o, c.cout]);
  const dx = tf.conv2dTranspose(dy, w, [c.batch, c.size, c.size, c.cin], c.stride, c.pad);
  const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
    strides: c.stride,
    pad: c.pad,
    dataFormat: 'NHWC',
    filterShape: [c.k, c.k, c.cin, c.cout],
  }) as tf.Tensor;
  return [dx, dw];
}

describe('wasm convolution gradient kernels', () => {
  before(async () => {
    registerWasmGradients();
    await useBackend('wasm');
  });
  after(async () => {
    await useBackend('wasm');
  });

  it('replace the package kernels and can be registered again', () => {
    registerWasmGradients();
    registerWasmGradients();
    assert.equal(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc, conv2DBackpropInputConfig.kernelFunc);
    assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc, simdConv2DBackpropFilterConfig.kernelFunc);
  });

  for (const c of cases) {
    it(`match cpu: ${c.k}×${c.k}, stride ${c.stride}, ${c.pad}, batch ${c.batch}, ${c.size}×${c.size}, ${c.cin} → ${c.cout} channels`, async () => {
      const [dx, dw] = await runOn('wasm', () => gradients(c));
      const [dxRef, dwRef] = await runOn('cpu', () => gradients(c));
      assert.ok(relativeError(dx, dxRef) <= 1e-4, `input gradient relative error ${relativeError(dx, dxRef)}`);
      assert.ok(relativeError(dw, dwRef) <= 1e-4, `filter gradient relative error ${relativeError(dw, dwRef)}`);
    });
  }

  it('give the gradients of a fused conv + bias + relu (the path tf.layers takes)', async () => {
    const compute = (): tf.Tensor[] => {
      const x = tf.tensor4d(values(2 * 9 * 9 * 3, 4), [2, 9, 9, 3]);
      const w = tf.tensor4d(values(3 * 3 * 3 * 5, 5), [3, 3, 3, 5]);
      const b = tf.tensor1d(values(5, 6));
      const r = tf.tensor4d(values(2 * 5 * 5 * 5, 7), [2, 5, 5, 5]);
      const loss = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor): tf.Tensor =>
        tf.sum(tf.mul(tf.fused.conv2d({ x: xi as tf.Tensor4D, filter: wi as tf.Tensor4D, bias: bi, strides: 2, pad: 'same', activation: 'relu' }), r));
      return tf.grads(loss)([x, w, b]);
    };
    const got = await runOn('wasm', compute);
    const want = await runOn('cpu', compute);
    got.forEach((g, i) => assert.ok(relativeError(g, want[i]) <= 1e-4, `gradient ${i}: ${relativeError(g, want[i])}`));
  });

  it('leave no tensors or wasm buffers behind', async () => {
    await useBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const c: Case = { batch: 2, size: 7, cin: 3, cout: 4, k: 3, stride: 2, pad: 'same' };
    const inputs = tf.tidy(() => {
      const x = tf.tensor4d(values(2 * 7 * 7 * 3, 1), [2, 7, 7, 3]);
      const w = tf.tensor4d(values(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]);
      const dy = tf.tensor4d(values(2 * 4 * 4 * 4, 3), [2, 4, 4, 4]);
      return { x, w, dy };
    });
    const tensorsBefore = tf.memory().numTensors;
    const buffersBefore = backend.numDataIds();
    const dx = tf.conv2dTranspose(inputs.dy, inputs.w, [2, 7, 7, 3], c.stride, c.pad);
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x: inputs.x, dy: inputs.dy }, {
      strides: c.stride,
      pad: c.pad,
      dataFormat: 'NHWC',
      filterShape: [3, 3, 3, 4],
    }) as tf.Tensor;
    assert.equal(tf.memory().numTensors, tensorsBefore + 2, 'exactly the two results are new tensors');
    assert.equal(backend.numDataIds(), buffersBefore + 2, 'exactly the two results hold wasm memory');
    tf.dispose([dx, dw]);
    assert.equal(tf.memory().numTensors, tensorsBefore);
    assert.equal(backend.numDataIds(), buffersBefore);
    tf.dispose(inputs);
  });
});
