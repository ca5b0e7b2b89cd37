/**
 * Per-kernel times of one training step (tf.profile), summed by kernel name, so the slowest
 * kernels of the backend, the next things to speed up, are visible in every benchmark run.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelTime, StepProfile } from './types';

export async function profileStep(step: () => unknown, top = 10): Promise<StepProfile> {
  const started = performance.now();
  const info = await tf.profile(() => {
    step();
  });
  const wallMs = performance.now() - started;
  const byName = new Map<string, Omit<KernelTime, 'kernel' | 'share'>>();
  const backend = tf.getBackend();
  let kernelMs = 0;
  let kernelCalls = 0;
  for (const kernel of info.kernels) {
    if (!tf.getKernel(kernel.name, backend)) continue;
    kernelCalls += 1;
    // After tf.profile resolves, kernelTimeMs is a number, or {error} where the backend cannot time.
    const ms = typeof kernel.kernelTimeMs === 'number' ? kernel.kernelTimeMs : 0;
    const entry = byName.get(kernel.name) ?? { calls: 0, ms: 0, slowest: { ms: -1, inputShapes: [] } };
    entry.calls += 1;
    entry.ms += ms;
    if (ms > entry.slowest.ms) entry.slowest = { ms, inputShapes: kernel.inputShapes };
    byName.set(kernel.name, entry);
    kernelMs += ms;
  }
  const rows: KernelTime[] = [...byName.entries()]
    .map(([kernel, entry]) => ({ kernel, ...entry, share: kernelMs > 0 ? entry.ms / kernelMs : 0 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top);
  return { kernelMs, wallMs, kernelCalls, top: rows };
}
