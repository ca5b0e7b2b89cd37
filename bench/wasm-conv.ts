// 3×3 stride-1 convolutions on the wasm backend, one thread: the package's XNNPACK convolution
// against the project's Winograd F(2×2, 3×3) (docs/wasm-kernels.md, "Winograd convolutions"),
// forward and filter gradient, at the shapes of ResNet-20 and small28 and at channel counts
// around the Winograd bound. Both sides see a new filter every call, as in training (XNNPACK
// packs its weights again for each new filter). Alternates the two sides call by call and prints
// medians; writes bench-results/wasm-conv.json.
//
// Usage: node dist/bench/wasm-conv.js [--quick]
import * as fs from 'node:fs';
import * as path from 'node:path';

import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

import { initWasmBackend } from '../src/trainer/backends/wasm-init';
import { heapOffset } from '../src/trainer/backends/wasm-kernels/heap';
import { packageKernel } from '../src/trainer/backends/wasm-kernels/kernel-config';
import { simdKernels } from '../src/trainer/backends/wasm-kernels/module';
import { winogradConv, winogradFilterGradient, type WinogradGeometry } from '../src/trainer/backends/wasm-kernels/winograd';

// Taken before initWasmBackend registers the project's kernels over the package's.
const xnnpackConv = packageKernel('Conv2D');

const quick = process.argv.includes('--quick');
const SHAPES: [number, number, number, number][] = quick
  ? [[64, 32, 16, 16], [64, 8, 64, 64]]
  : [[64, 32, 4, 4], [64, 32, 8, 8], [64, 32, 16, 16], [64, 16, 32, 32], [64, 8, 64, 64], [64, 14, 64, 64], [64, 16, 20, 28], [64, 4, 64, 64]];

interface Row {
  batch: number;
  size: number;
  cin: number;
  cout: number;
  gflop: number;
  xnnpackMs: number;
  winogradMs: number;
  filterGradDirectMs: number;
  filterGradWinogradMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median ms of `a` and of `b`, called alternately, each with a fresh copy of the filter. */
function alternate(a: () => void, b: () => void, repeats: number): [number, number] {
  a();
  b();
  const ta: number[] = [], tb: number[] = [];
  for (let i = 0; i < repeats; i++) {
    for (const [fn, times] of [[a, ta], [b, tb]] as const) {
      const t0 = performance.now();
      fn();
      times.push(performance.now() - t0);
    }
  }
  return [median(ta), median(tb)];
}

async function main(): Promise<void> {
  await initWasmBackend();
  const backend = tf.backend() as BackendWasm;
  const rows: Row[] = [];
  console.log('batch size  cin cout | forward: XNNPACK ms  Winograd ms  × | filter gradient: direct ms  Winograd ms  ×');
  for (const [n, size, cin, cout] of SHAPES) {
    const x = tf.randomNormal([n, size, size, cin]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, cin, cout]) as tf.Tensor4D;
    const dy = tf.randomNormal([n, size, size, cout]) as tf.Tensor4D;
    const g: WinogradGeometry = { n, h: size, w: size, cin, ho: size, wo: size, cout, padTop: 1, padLeft: 1 };
    const withFreshFilter = (run: (filter: tf.Tensor) => tf.TensorInfo) => () => {
      const filter = tf.clone(w);
      backend.disposeData(run(filter).dataId);
      filter.dispose();
    };
    const [xnnpackMs, winogradMs] = alternate(
      withFreshFilter((filter) => xnnpackConv.run({ inputs: { x, filter }, backend, attrs: { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1 } as never })),
      withFreshFilter((filter) => winogradConv(backend, x, filter, g)),
      quick ? 5 : 15);
    // The direct filter gradient: the project's tap-by-tap SIMD kernel (conv-filter-grad.ts),
    // called directly, since the registered kernel now takes Winograd at these shapes. It wants
    // output channels in multiples of 4, as every shape here has.
    const kernels = simdKernels(backend);
    const [filterGradDirectMs, filterGradWinogradMs] = alternate(
      () => {
        const dw = backend.makeOutput([3, 3, cin, cout], 'float32');
        kernels.conv2dFilterGrad(heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, dw), n, size, size, cin, size, size, cout, 3, 3, 1, 1, 1, 1);
        backend.disposeData(dw.dataId);
      },
      () => backend.disposeData(winogradFilterGradient(backend, x, dy, g).dataId),
      quick ? 5 : 15);
    const gflop = (2 * n * size * size * 9 * cin * cout) / 1e9;
    rows.push({ batch: n, size, cin, cout, gflop, xnnpackMs, winogradMs, filterGradDirectMs, filterGradWinogradMs });
    console.log(`${String(n).padStart(5)} ${String(size).padStart(4)} ${String(cin).padStart(4)} ${String(cout).padStart(4)} | ` +
      `${xnnpackMs.toFixed(2).padStart(17)}  ${winogradMs.toFixed(2).padStart(11)}  ${(xnnpackMs / winogradMs).toFixed(2)} | ` +
      `${filterGradDirectMs.toFixed(2).padStart(25)}  ${filterGradWinogradMs.toFixed(2).padStart(11)}  ${(filterGradDirectMs / filterGradWinogradMs).toFixed(2)}`);
    tf.dispose([x, w, dy]);
  }
  const file = path.resolve('bench-results', 'wasm-conv.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), rows }, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
