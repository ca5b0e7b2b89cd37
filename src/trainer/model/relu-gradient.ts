/**
 * The ReLU gradient dy·step(x) as one op. TF.js computes it as `step` and then `mul`, two passes
 * over every activation of the network; a profile of a native ResNet-20 step put them at about a
 * fifth of its elementwise time. A backend that registers `ReluGrad` (the native one) does it in
 * one pass; every other backend keeps TF.js's own composition.
 */
import * as tf from '@tensorflow/tfjs';
import { activeBackendHas } from './backend-kernel';

/** Kernel name a backend may implement: inputs `{ a: dy, b: x }`, output a·step(b). */
export const ReluGrad = 'ResBuilderReluGrad';

export function reluGradient(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (activeBackendHas(ReluGrad) && dy.dtype === 'float32' && x.dtype === 'float32') {
    return tf.engine().runKernel(ReluGrad, { a: dy, b: x }) as tf.Tensor;
  }
  return tf.mul(dy, tf.cast(tf.step(x), 'float32'));
}

let installed = false;

/** Idempotent: makes every Relu of this process differentiate through `reluGradient`. */
export function installReluGradient(): void {
  // Made before the once-per-process check: a test that checks the registration in a new
  // process then also reaches it in its own (README, "Mutation testing").
  const gradient: tf.GradConfig = {
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => reluGradient(dy as tf.Tensor, saved[0]) }),
  };
  // Stryker disable next-line ConditionalExpression: registering the same gradient again replaces it with an equal one (the flag spares the work).
  if (installed) return;
  // Stryker disable next-line BooleanLiteral: as above, a second registration changes nothing.
  installed = true;
  tf.registerGradient(gradient);
}
