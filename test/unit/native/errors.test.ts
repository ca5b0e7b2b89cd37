import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as tf from '@tensorflow/tfjs';

import {
  isNativeAvailable, loadNativeAddon, loadNativeAddonFrom, NATIVE_BACKEND_NAME,
} from '../../../src/trainer/backends/native';
import { useNativeBackend } from './helpers';

// [n, h, w, c, kh, kw, o, oh, ow, sh, sw, dh, dw, pt, pl, pb, pr] for a 1x4x4x2 input, 3x3x2x3 filter, same padding.
const GEOMETRY = [1, 4, 4, 2, 3, 3, 3, 4, 4, 1, 1, 1, 1, 1, 1, 1, 1];

describe('native backend: registration and errors', function () {
  before(useNativeBackend);

  it('is available here and registers every cpu kernel under "native"', () => {
    assert.equal(isNativeAvailable(), true);
    const cpu = tf.getKernelsForBackend('cpu').map((k) => k.kernelName);
    const missing = cpu.filter((name) => !tf.getKernel(name, NATIVE_BACKEND_NAME));
    assert.deepEqual(missing, []);
    assert.equal(tf.getBackend(), 'native');
  });

  it('reports a missing addon with how to build it', () => {
    assert.throws(() => loadNativeAddonFrom([path.join(os.tmpdir(), 'no-such-dir', 'resbuilder_native.node')]),
      /not built.*libdnnl-dev.*scripts\/build-native\.js/s);
  });

  it('reports an addon that fails to load with how to rebuild it', () => {
    const junk = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rbn-')), 'resbuilder_native.node');
    fs.writeFileSync(junk, 'not a shared object');
    assert.throws(() => loadNativeAddonFrom([junk]), /failed to load.*Rebuild it/s);
  });

  it('rejects buffers that do not match the shapes with an Error naming kernel and argument', () => {
    const addon = loadNativeAddon();
    const out = new Float32Array(1 * 4 * 4 * 3);
    assert.throws(() => addon.conv2dForward(new Float32Array(5), new Float32Array(54), null, out, GEOMETRY, false),
      /conv2dForward: x has 5 elements but its shape needs 32/);
    assert.throws(() => addon.conv2dForward(new Float32Array(32), new Float32Array(54), null, out,
      [...GEOMETRY.slice(0, 7), 9, 9, ...GEOMETRY.slice(9)], false), /does not follow from input 4x4/);
    assert.throws(() => addon.conv2dForward([1, 2] as unknown as Float32Array, new Float32Array(54), null, out, GEOMETRY, false),
      /x must be a Float32Array/);
    assert.throws(() => addon.conv2dForward(new Float32Array(32), new Float32Array(54), null, out, [1, 2, 3], false),
      /geometry has 3 entries/);
    assert.throws(() => addon.binary(new Float32Array(6), [2, 3], new Float32Array(4), [4], new Float32Array(6), [2, 3], 0),
      /binary: operand dimension 1 is 4/);
    assert.throws(() => addon.matmul(new Float32Array(6), new Float32Array(6), null, new Float32Array(8), [1, 2, 3, 4], false, false, false),
      /matmul: b has 6 elements/);
    assert.throws(() => addon.reduce(new Float32Array(6), new Float32Array(2), [2, 0, 1], 0), /empty axis/);
  });

  it('a kernel called with mismatched filter channels throws a clear Error instead of crashing', () => {
    const x = tf.ones([1, 4, 4, 2]);
    const filter = tf.ones([3, 3, 5, 3]);
    assert.throws(() => tf.engine().runKernel('Conv2D', { x, filter },
      { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 }), /conv2dForward: filter has 135 elements but its shape needs 54/);
    tf.dispose([x, filter]);
  });
});
