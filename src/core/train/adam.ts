/**
 * Adam's update as tf.train.adam(rate) computes it (β₁ 0.9, β₂ 0.999, ε 1e-7, bias correction
 * by the running powers β₁ᵗ and β₂ᵗ), on plain float32 arrays: the one copy of the rule that the
 * data-parallel workers' flat optimizer and the native backend's one-pass Adam kernel both run,
 * so the two keep stepping alike.
 */

export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
/** TF.js's epsilon for float32 backends, which tf.train.adam uses when given none. */
export const ADAM_EPSILON = 1e-7;

/** One step's scalars: lr/(1 − β₁ᵗ) and 1/√(1 − β₂ᵗ), the bias corrections taken out of the loop. */
export interface AdamScales {
  stepSize: number;
  rootScale: number;
}

/** The scales of a step at `learningRate` with the running powers β₁ᵗ and β₂ᵗ (as float32 values). */
export function adamScales(learningRate: number, accBeta1: number, accBeta2: number): AdamScales {
  return { stepSize: learningRate / (1 - accBeta1), rootScale: 1 / Math.sqrt(1 - accBeta2) };
}

/** The running powers after a step, rounded to float32 as TF.js's variables hold them. */
export function nextAdamPowers(accBeta1: number, accBeta2: number): [number, number] {
  return [Math.fround(accBeta1 * Math.fround(ADAM_BETA1)), Math.fround(accBeta2 * Math.fround(ADAM_BETA2))];
}

/** Updates params, m and v in place over [from, to) from the gradients at the same positions. */
export function adamUpdate(params: Float32Array, grads: Float32Array, m: Float32Array, v: Float32Array, from: number, to: number, scales: AdamScales): void {
  const { stepSize, rootScale } = scales;
  for (let i = from; i < to; i++) {
    const g = grads[i];
    const mi = m[i] * ADAM_BETA1 + g * (1 - ADAM_BETA1);
    const vi = v[i] * ADAM_BETA2 + g * g * (1 - ADAM_BETA2);
    m[i] = mi;
    v[i] = vi;
    params[i] -= (stepSize * mi) / (Math.sqrt(vi) * rootScale + ADAM_EPSILON);
  }
}
