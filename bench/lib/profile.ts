/**
 * Per-kernel times of a training step, summed by kernel name, so the slowest kernels of the
 * backend, the next things to speed up, are visible in every benchmark run.
 *
 * Each kernel of the active backend is re-registered for the duration with a wrapper that times
 * its call (TF.js's public kernel registry; the kernels are synchronous on the CPU backends).
 * tf.profile is not used: it keeps every kernel's outputs for its report, so the native
 * backend's buffer pool cannot recycle them and each output lands on freshly faulted pages;
 * memory-bound kernels then look several times slower than they are in a real step.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelTime, StepProfile } from './types';

interface Tally {
  calls: number;
  ms: number;
  slowest: { ms: number; inputShapes: (number[] | null)[] };
}

export async function profileStep(step: () => unknown, top = 10, steps = 3): Promise<StepProfile> {
  // One untimed step first: the model may not have run for a while (the bench profiles after
  // every round), and its first step then refills the backend's buffer pool with fresh pages,
  // several times slower than a step in a run.
  step();
  const backend = tf.getBackend();
  const originals = tf.getKernelsForBackend(backend);
  const byName = new Map<string, Tally>();
  // Kernels that call other kernels through the engine count once, at the outermost call.
  let depth = 0;
  for (const config of originals) {
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        if (depth > 0) return config.kernelFunc(args);
        depth += 1;
        const started = performance.now();
        try {
          return config.kernelFunc(args);
        } finally {
          const ms = performance.now() - started;
          depth -= 1;
          const entry = byName.get(config.kernelName) ?? { calls: 0, ms: 0, slowest: { ms: -1, inputShapes: [] } };
          entry.calls += 1;
          entry.ms += ms;
          if (ms > entry.slowest.ms) entry.slowest = { ms, inputShapes: Object.values(args.inputs).map((t) => t?.shape ?? null) };
          byName.set(config.kernelName, entry);
        }
      },
    });
  }
  let wallMs = 0;
  try {
    const started = performance.now();
    for (let i = 0; i < steps; i++) step();
    wallMs = (performance.now() - started) / steps;
  } finally {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, backend);
      tf.registerKernel(config);
    }
  }
  let kernelMs = 0;
  let kernelCalls = 0;
  for (const entry of byName.values()) {
    kernelMs += entry.ms / steps;
    kernelCalls += entry.calls / steps;
  }
  const rows: KernelTime[] = [...byName.entries()]
    .map(([kernel, e]) => ({ kernel, calls: e.calls / steps, ms: e.ms / steps, slowest: e.slowest, share: kernelMs > 0 ? e.ms / steps / kernelMs : 0 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top);
  return { kernelMs, wallMs, kernelCalls, top: rows };
}
