/**
 * The model's custom gradients run a fused kernel (batch-norm statistics and gradients, the
 * ReLU gradient) where the active backend registers one, and TF.js's own ops elsewhere.
 */
import * as tf from '@tensorflow/tfjs';

/** True when the active backend has its own kernel `name`. */
export function activeBackendHas(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}
