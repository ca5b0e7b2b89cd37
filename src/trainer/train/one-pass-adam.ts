/**
 * tf.train.adam's optimizer with the update of each variable in one kernel where the backend has
 * one. TF.js's Adam runs about a dozen elementwise kernels per variable and step (some 400 of a
 * small search network's 730 kernel calls a step on the native backend), each with its
 * JavaScript dispatch and a pass over the variable; the native backend's `ResBuilderAdamStep`
 * (backends/native/kernels/adam.ts) makes one pass with the rule of src/core/train/adam.ts.
 *
 * Only `applyGradients` changes: the moments, the running powers and the weights format are
 * TF.js's own, so a checkpoint written with either optimizer continues with the other, and on a
 * backend without the kernel (wasm, tensorflow) this is exactly tf.train.adam.
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, adamScales, nextAdamPowers } from '../../core/train/adam';
import { activeBackendHas } from '../model/backend-kernel';

/** Inputs value, gradient, m, v (float32, one shape); attributes stepSize and rootScale (adamScales); outputs the new value, m and v. */
export const AdamStep = 'ResBuilderAdamStep';

/** The slots TF.js's Adam keeps; private in its typings, named here to fill them as it does. */
interface AdamSlots {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

export class OnePassAdam extends tf.AdamOptimizer {
  constructor(learningRate: number) {
    super(learningRate, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON);
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (!activeBackendHas(AdamStep)) {
      super.applyGradients(variableGradients);
      return;
    }
    const slots = this as unknown as AdamSlots;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const accBeta1 = slots.accBeta1.dataSync()[0];
    const accBeta2 = slots.accBeta2.dataSync()[0];
    const { stepSize, rootScale } = adamScales(this.learningRate, accBeta1, accBeta2);
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        // As TF.js's Adam: slots by position, made on first use, also for a variable without a gradient.
        const m = (slots.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) }).variable;
        const v = (slots.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) }).variable;
        const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
        if (gradient == null) return;
        const [newValue, newM, newV] = tf.engine().runKernel(AdamStep, { value, gradient, m, v }, { stepSize, rootScale }) as tf.Tensor[];
        m.assign(newM);
        v.assign(newV);
        value.assign(newValue);
      });
      const [next1, next2] = nextAdamPowers(accBeta1, accBeta2);
      slots.accBeta1.assign(tf.scalar(next1));
      slots.accBeta2.assign(tf.scalar(next2));
    });
    this.incrementIterations();
  }
}
