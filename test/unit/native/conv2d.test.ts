import * as assert from 'node:assert/strict';

import * as tf from '@tensorflow/tfjs';

import * as fs from 'node:fs';

import { loadNativeAddon } from '../../../src/trainer/backends/native';
import { foldedConv2d } from '../../../src/trainer/model/folded-conv';
import { countAddonCalls, expectSameOnBothBackends, randomValues, relativeError, useNativeBackend } from './helpers';

interface ConvCase {
  batch: number;
  size: [number, number];
  inC: number;
  outC: number;
  k: number;
  stride: number;
  pad: 'same' | 'valid';
  dilation?: number;
}

const CASES: ConvCase[] = [
  { batch: 1, size: [7, 7], inC: 3, outC: 4, k: 3, stride: 1, pad: 'same' },
  { batch: 2, size: [7, 7], inC: 3, outC: 4, k: 3, stride: 2, pad: 'same' },
  { batch: 2, size: [15, 15], inC: 5, outC: 6, k: 3, stride: 2, pad: 'valid' },
  { batch: 3, size: [8, 8], inC: 4, outC: 8, k: 1, stride: 1, pad: 'valid' },
  { batch: 2, size: [8, 8], inC: 4, outC: 8, k: 1, stride: 2, pad: 'same' },
  { batch: 2, size: [15, 15], inC: 3, outC: 5, k: 7, stride: 2, pad: 'same' },
  { batch: 1, size: [15, 15], inC: 2, outC: 3, k: 7, stride: 1, pad: 'valid' },
  { batch: 2, size: [9, 11], inC: 3, outC: 4, k: 3, stride: 1, pad: 'same', dilation: 2 },
  { batch: 4, size: [16, 16], inC: 16, outC: 16, k: 3, stride: 1, pad: 'same' },
  { batch: 2, size: [8, 9], inC: 3, outC: 5, k: 4, stride: 1, pad: 'same' },
  // From 32 channels on both sides a stride-1 input gradient runs as a forward convolution of a
  // flipped filter; even filters with 'same' pad more after than before, so that form must swap
  // the two sides.
  { batch: 2, size: [6, 7], inC: 32, outC: 40, k: 3, stride: 1, pad: 'same' },
  { batch: 1, size: [6, 7], inC: 33, outC: 32, k: 4, stride: 1, pad: 'same' },
  { batch: 2, size: [5, 6], inC: 32, outC: 32, k: 2, stride: 1, pad: 'same' },
  { batch: 1, size: [9, 8], inC: 32, outC: 34, k: 5, stride: 1, pad: 'valid' },
];

function label(c: ConvCase): string {
  return `batch ${c.batch}, ${c.size.join('x')}x${c.inC} -> ${c.outC}, ${c.k}x${c.k}, stride ${c.stride}, ${c.pad}` +
    (c.dilation ? `, dilation ${c.dilation}` : '');
}

function inputs(c: ConvCase, seed: number): { x: tf.Tensor4D; w: tf.Tensor4D } {
  const xShape: [number, number, number, number] = [c.batch, c.size[0], c.size[1], c.inC];
  const wShape: [number, number, number, number] = [c.k, c.k, c.inC, c.outC];
  return {
    x: tf.tensor4d(randomValues(tf.util.sizeFromShape(xShape), seed), xShape),
    w: tf.tensor4d(randomValues(tf.util.sizeFromShape(wShape), seed + 1), wShape),
  };
}

describe('native backend: convolutions match the cpu backend', function () {
  before(useNativeBackend);

  for (const [i, c] of CASES.entries()) {
    it(`forward, input gradient and filter gradient: ${label(c)}`, async () => {
      const calls = await countAddonCalls('conv2dBackwardFilter', () =>
        expectSameOnBothBackends(label(c), () => {
          const { x, w } = inputs(c, 10 + i);
          const dilation = c.dilation ?? 1;
          const y = tf.conv2d(x, w, c.stride, c.pad, 'NHWC', dilation);
          if (dilation !== 1) return [y]; // TF.js has no gradient for dilated convolutions
          const r = tf.tensor(randomValues(y.size, 99), y.shape);
          const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), r)))([x, w]);
          return [y, dx, dw];
        }));
      assert.equal(calls, c.dilation ? 0 : 1, 'the filter gradient ran natively');
    });
  }

  it('explicit numeric padding and rectangular strides', async () => {
    await expectSameOnBothBackends('pad 1, strides [2,1]', () => {
      const { x, w } = inputs({ batch: 2, size: [9, 8], inC: 3, outC: 4, k: 3, stride: 1, pad: 'same' }, 3);
      return tf.conv2d(x, w, [2, 1], 1);
    });
  });

  it('input gradient with padding wider than the filter reaches, and rectangular filters', async () => {
    await expectSameOnBothBackends('pad 3 on a 3x3 filter; a 3x5 filter', () => {
      const { x, w } = inputs({ batch: 2, size: [6, 7], inC: 32, outC: 32, k: 3, stride: 1, pad: 'same' }, 21);
      const rect = tf.tensor4d(randomValues(3 * 5 * 32 * 36, 23), [3, 5, 32, 36]);
      const wide = (a: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, w, 1, 3)));
      const tall = (a: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, rect, 1, 'same')));
      return [tf.grad(wide)(x), tf.grad(tall)(x)];
    });
  });

  it('fused conv2d with bias and relu, and its gradients', async () => {
    const calls = await countAddonCalls('conv2dForward', () => expectSameOnBothBackends('fused relu', () => {
      const { x, w } = inputs({ batch: 2, size: [8, 8], inC: 3, outC: 6, k: 3, stride: 1, pad: 'same' }, 5);
      const bias = tf.tensor1d(randomValues(6, 6));
      const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.square(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, strides: 1, pad: 'same', bias: c, activation: 'relu' })));
      const y = tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias, activation: 'relu' });
      return [y, ...tf.grads(f)([x, w, bias])];
    }));
    assert.ok(calls >= 2, 'fused forward ran natively');
  });

  for (const c of [
    { size: [14, 14], inC: 64, outC: 64, k: 3, stride: 1, pad: 'same', relu: true },
    { size: [9, 7], inC: 5, outC: 6, k: 3, stride: 2, pad: 'same', relu: true },
    { size: [8, 9], inC: 4, outC: 3, k: 2, stride: 1, pad: 'valid', relu: false },
  ] as const) {
    it(`residual sum (and ReLU) inside the convolution: ${c.size.join('x')}x${c.inC} -> ${c.outC}, ${c.k}x${c.k}, stride ${c.stride}, ${c.pad}, relu ${c.relu}`, async () => {
      // On cpu foldedConv2d composes fused conv, add and ReLU; on native it is one addon call.
      const calls = await countAddonCalls('conv2dForward', () => expectSameOnBothBackends('residual conv', () => {
        const { x, w } = inputs({ batch: 2, size: [...c.size], inC: c.inC, outC: c.outC, k: c.k, stride: c.stride, pad: c.pad }, 31);
        const bias = tf.tensor1d(randomValues(c.outC, 33));
        const outShape = tf.conv2d(x, w, c.stride, c.pad).shape;
        const residual = tf.tensor(randomValues(tf.util.sizeFromShape(outShape), 35), outShape);
        return foldedConv2d({ x, filter: w, bias, residual, strides: [c.stride, c.stride], pad: c.pad, dilations: [1, 1], relu: c.relu });
      }));
      // One call for the shape probe above, one for the residual convolution.
      assert.equal(calls, 2, 'the residual convolution ran in the addon');
    });
  }

  it('a residual the caller gives up is summed in place, unless another tensor shares its memory', () => {
    const backend = tf.backend() as unknown as { allocate(length: number): Float32Array };
    const allocate = backend.allocate;
    let allocations = 0;
    backend.allocate = (length) => { allocations++; return allocate.call(backend, length); };
    try {
      const { x, w } = inputs({ batch: 2, size: [6, 6], inC: 4, outC: 4, k: 3, stride: 1, pad: 'same' }, 51);
      const bias = tf.tensor1d(randomValues(4, 53));
      const run = (residual: tf.Tensor) =>
        foldedConv2d({ x, filter: w, bias, residual, strides: [1, 1], pad: 'same', dilations: [1, 1], relu: true, consumeResidual: true });
      const expected = tf.relu(tf.add(tf.fused.conv2d({ x, filter: w, bias, strides: 1, pad: 'same' }), tf.ones([2, 6, 6, 4])));
      const native = (t: tf.Tensor) => tf.add(t, 0); // a residual in an array the backend allocated
      const sole = native(tf.ones([2, 6, 6, 4]));
      allocations = 0;
      const inPlace = run(sole);
      assert.equal(allocations, 0, 'the output is written over the residual');
      assert.ok(relativeError(inPlace.dataSync(), expected.dataSync()) < 1e-5);
      const shared = native(tf.ones([2, 6, 6, 4]));
      const alias = tf.reshape(shared, [2, 6, 6, 4]); // a second tensor on the same memory
      allocations = 0;
      const copied = run(shared);
      assert.equal(allocations, 1, 'a shared residual is copied');
      assert.ok(relativeError(copied.dataSync(), expected.dataSync()) < 1e-5);
      assert.deepEqual([...new Set(alias.dataSync())], [1], 'the other tensor still reads the residual');
      tf.dispose([x, w, bias, expected, sole, inPlace, shared, alias, copied]);
    } finally {
      backend.allocate = allocate;
    }
  });

  it('a residual the convolution cannot take (broadcast over the batch) runs on the cpu kernels', async () => {
    const calls = await countAddonCalls('conv2dForward', () => expectSameOnBothBackends('broadcast residual', () => {
      const { x, w } = inputs({ batch: 3, size: [5, 5], inC: 2, outC: 3, k: 3, stride: 1, pad: 'same' }, 41);
      const residual = tf.tensor(randomValues(5 * 5 * 3, 43), [1, 5, 5, 3]);
      return foldedConv2d({ x, filter: w, bias: tf.tensor1d([0.1, -0.2, 0.3]), residual, strides: [1, 1], pad: 'same', dilations: [1, 1], relu: true });
    }));
    assert.equal(calls, 0);
  });

  describe('Winograd for 3x3 stride-1 convolutions of 32 channels or more', () => {
    // oneDNN 2.6 has its Winograd kernel for AVX-512 CPUs only; elsewhere the direct one runs.
    const hasWinograd = /\bavx512f\b/.test(fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '');
    const addon = () => loadNativeAddon();

    for (const c of [
      { size: [16, 16], inC: 32, outC: 32, relu: true, residual: false },
      { size: [7, 9], inC: 64, outC: 48, relu: false, residual: false },
      { size: [8, 8], inC: 64, outC: 64, relu: true, residual: true },
    ] as const) {
      it(`${c.size.join('x')}x${c.inC} -> ${c.outC}, 3x3, relu ${c.relu}, residual ${c.residual}: matches the cpu backend`, async () => {
        addon().clearCaches();
        await expectSameOnBothBackends('winograd conv', () => {
          const { x, w } = inputs({ batch: 3, size: [...c.size], inC: c.inC, outC: c.outC, k: 3, stride: 1, pad: 'same' }, 61);
          const bias = tf.tensor1d(randomValues(c.outC, 63));
          const residual = c.residual ? tf.tensor(randomValues(3 * c.size[0] * c.size[1] * c.outC, 65), [3, c.size[0], c.size[1], c.outC]) : undefined;
          return foldedConv2d({ x, filter: w, bias, residual, strides: [1, 1], pad: 'same', dilations: [1, 1], relu: c.relu });
        });
        assert.equal(addon().cacheSizes().winograd, hasWinograd ? 1 : 0);
      });
    }

    it('is not used below 32 channels, below 4x4 outputs, or for strided convolutions', () => {
      addon().clearCaches();
      tf.tidy(() => {
        const narrow = inputs({ batch: 2, size: [8, 8], inC: 16, outC: 32, k: 3, stride: 1, pad: 'same' }, 73);
        const tiny = inputs({ batch: 2, size: [3, 3], inC: 32, outC: 32, k: 3, stride: 1, pad: 'same' }, 75);
        const strided = inputs({ batch: 2, size: [8, 8], inC: 32, outC: 32, k: 3, stride: 1, pad: 'same' }, 77);
        for (const [{ x, w }, stride] of [[narrow, 1], [tiny, 1], [strided, 2]] as const) {
          const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, 'same')));
          tf.grads(loss)([x, w]).forEach((g) => g.dataSync());
          foldedConv2d({ x, filter: w, bias: tf.zeros([w.shape[3]]), strides: [stride, stride], pad: 'same', dilations: [1, 1], relu: true }).dataSync();
        }
      });
      assert.equal(addon().cacheSizes().winograd, 0);
    });

    for (const c of [
      { batch: 3, size: [14, 14], inC: 32, outC: 48 },
      { batch: 2, size: [4, 5], inC: 37, outC: 52 },
      { batch: 2, size: [9, 7], inC: 64, outC: 40 },
    ] as const) {
      it(`training ${c.size.join('x')}x${c.inC} -> ${c.outC}: forward, input and filter gradients match the cpu backend`, async () => {
        addon().clearCaches();
        await expectSameOnBothBackends('winograd training', () => {
          const { x, w } = inputs({ ...c, size: [...c.size], k: 3, stride: 1, pad: 'same' }, 67);
          const bias = tf.tensor1d(randomValues(c.outC, 68));
          const r = tf.tensor(randomValues(c.batch * c.size[0] * c.size[1] * c.outC, 69), [c.batch, c.size[0], c.size[1], c.outC]);
          const loss = (a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(tf.fused.conv2d(
            { x: a as tf.Tensor4D, filter: b as tf.Tensor4D, bias: d, strides: 1, pad: 'same', activation: 'relu' }), r));
          const y = tf.fused.conv2d({ x, filter: w, bias, strides: 1, pad: 'same', activation: 'relu' });
          return [y, ...tf.grads(loss)([x, w, bias])];
        });
        // Every convolution ran as Winograd: the forwards, the input gradient (a forward
        // convolution of the flipped filter, its channels swapped) and the filter gradient.
        const sizes = addon().cacheSizes();
        if (hasWinograd) {
          assert.equal(sizes.winograd, sizes.conv, 'no convolution ran on the direct kernel');
          assert.ok(sizes.winograd >= 3, `${sizes.winograd} Winograd primitives`);
        } else {
          assert.equal(sizes.winograd, 0);
        }
      });
    }

    it('transforms a filter again when the same array holds new values', () => {
      // The buffer pool hands a disposed filter's array to the next tensor: a transform kept by
      // the array alone would then convolve with the old filter.
      const [n, h, wd, c] = [2, 8, 8, 32];
      const geometry = [n, h, wd, c, 3, 3, c, h, wd, 1, 1, 1, 1, 1, 1, 1, 1];
      const x = randomValues(n * h * wd * c, 81);
      const filter = randomValues(9 * c * c, 83);
      const bias = new Float32Array(c);
      const run = (constantFilter: boolean) => {
        const out = new Float32Array(n * h * wd * c);
        addon().conv2dForward(x, filter, bias, out, geometry, false, null, constantFilter);
        return out;
      };
      for (const seed of [85, 87, 89]) {
        const cached = run(true);
        const direct = run(false);
        assert.ok(relativeError(cached, direct) < 1e-4, `seed ${seed}: relative error ${relativeError(cached, direct)}`);
        filter.set(randomValues(filter.length, seed));
      }
      // The last filter differs from the first: the outputs above cannot all have come from one.
      assert.ok(relativeError(run(true), run(false)) < 1e-4);
    });
  });

  it('a fused activation the addon lacks (elu) falls back to the cpu kernel', async () => {
    await expectSameOnBothBackends('fused elu', () => {
      const { x, w } = inputs({ batch: 1, size: [5, 5], inC: 2, outC: 3, k: 3, stride: 1, pad: 'same' }, 7);
      return tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias: tf.tensor1d([0.1, -0.2, 0.3]), activation: 'elu' });
    });
  });
});
