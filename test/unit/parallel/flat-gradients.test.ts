/** The L1/L2 gradient the workers add after the sum, against TF.js's tape on the same penalty (cpu). */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { addPenaltyGradients } from '../../../src/trainer/parallel/flat-gradients';
import { segmentsOf } from '../../../src/trainer/train/flat-optimizer';

describe('L1/L2 gradient on flat arrays', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('equals the tape gradient of l1·Σ|w| + l2·Σw², zeros included, on the penalised segments only', () => {
    const l1 = 1e-3;
    const l2 = 2e-2;
    // Three variables: the first under L1 and L2, the second under L2 only, the third under neither.
    const values = [Float32Array.of(0.5, -0.25, 0, 3, -0), Float32Array.of(-1.5, 0.75, 0), Float32Array.of(2, -2)];
    const segments = segmentsOf(values.map((v, i) => ({ name: `w${i}`, shape: [v.length] })));
    const params = Float32Array.from(values.flatMap((v) => Array.from(v)));
    const grads = new Float64Array(params.length).fill(0.125);
    addPenaltyGradients(grads, params, [segments[0]], [segments[0], segments[1]], { l1, l2 });

    const [w0, w1] = values.slice(0, 2).map((v) => tf.tensor1d(v));
    const tape = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.abs(a).sum().mul(l1).add(tf.square(a).sum().mul(l2)).add(tf.square(b).sum().mul(l2)))([w0, w1]);
    const expected = [...tape[0].dataSync(), ...tape[1].dataSync()].map((g) => g + 0.125);
    expected.forEach((g, i) => assert.ok(Math.abs(grads[i] - g) <= 1e-7, `value ${i}: ${grads[i]} vs the tape's ${g}`));
    assert.deepEqual(Array.from(grads.subarray(segments[2].offset)), [0.125, 0.125]);
    tf.dispose([w0, w1, ...tape]);
  });

  it('adds nothing when both strengths are zero', () => {
    const segments = segmentsOf([{ name: 'w', shape: [3] }]);
    const grads = Float64Array.of(1, 2, 3);
    addPenaltyGradients(grads, Float32Array.of(-1, 0, 1), segments, segments, { l1: 0, l2: 0 });
    assert.deepEqual(Array.from(grads), [1, 2, 3]);
  });
});
