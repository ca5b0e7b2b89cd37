// Convolution throughput of the native (oneDNN) backend: 3x3 convolutions at the ResNet-20
// shapes and small28's 14×14×64 block, forward, input gradient alone, filter gradient alone and
// forward+backward,
// called on the addon directly and through TF.js, next to the wasm backend's forward pass
// measured in the same run (the machine's load changes from minute to minute, so same-run
// ratios mean more than absolute figures). GFLOP/s count the direct form's multiply-adds whatever
// the algorithm, so a Winograd convolution reads as its speed-up. Optionally a ResNet-20 training throughput in
// images/s. Prints a table and writes
// bench-results/kernels.json.
//
// Usage: node dist/bench/kernels.js [--quick] [--no-wasm] [--no-resnet] [--threads N]
// RESBUILDER_NATIVE_ADDON=<path> measures another build of the addon (an A/B of a native change).
import * as fs from 'node:fs';
import * as path from 'node:path';

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

import { loadNativeAddon, registerNativeBackend } from '../src/trainer/backends/native';

interface ConvShape { batch: number; size: number; channels: number }
interface ConvResult extends ConvShape {
  gflop: number;
  nativeForward: number;
  /** The input gradient alone (docs/benchmarks.md, "Input gradients as forward convolutions"). */
  nativeBackwardData: number;
  /** The filter gradient alone. */
  nativeBackwardFilter: number;
  nativeForwardBackward: number;
  tfjsNativeForward: number;
  wasmForward: number | null;
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const withWasm = !args.includes('--no-wasm');
const withResnet = !args.includes('--no-resnet');
const threadsArg = args.indexOf('--threads');

const SHAPES: ConvShape[] = quick
  ? [{ batch: 64, size: 32, channels: 16 }, { batch: 64, size: 8, channels: 64 }]
  : [
    { batch: 64, size: 32, channels: 16 }, { batch: 64, size: 16, channels: 32 }, { batch: 64, size: 8, channels: 64 },
    { batch: 128, size: 32, channels: 16 }, { batch: 128, size: 16, channels: 32 }, { batch: 128, size: 8, channels: 64 },
    { batch: 64, size: 8, channels: 128 }, { batch: 128, size: 14, channels: 64 },
  ];

/** Median seconds of `fn` over enough repetitions to fill ~`budget` seconds (at least 3). */
function timeIt(fn: () => void, budget = quick ? 0.5 : 1.5): number {
  fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 3 || (performance.now() - start) / 1000 < budget) {
    const t0 = performance.now();
    fn();
    samples.push((performance.now() - t0) / 1000);
    if (samples.length >= 50) break;
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

function random(size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = Math.random() - 0.5;
  return out;
}

async function convBench(shape: ConvShape): Promise<ConvResult> {
  const addon = loadNativeAddon();
  const { batch: n, size: s, channels: c } = shape;
  const geometry = [n, s, s, c, 3, 3, c, s, s, 1, 1, 1, 1, 1, 1, 1, 1];
  const x = random(n * s * s * c), w = random(9 * c * c), y = new Float32Array(n * s * s * c);
  const dy = random(y.length), dx = new Float32Array(x.length), dw = new Float32Array(w.length);
  const gflop = (2 * n * s * s * c * 9 * c) / 1e9;

  const fwd = timeIt(() => addon.conv2dForward(x, w, null, y, geometry, false));
  const bwdData = timeIt(() => addon.conv2dBackwardData(dy, w, dx, geometry));
  const bwdFilter = timeIt(() => addon.conv2dBackwardFilter(x, dy, dw, geometry));
  const fwdBwd = timeIt(() => {
    addon.conv2dForward(x, w, null, y, geometry, false);
    addon.conv2dBackwardData(dy, w, dx, geometry);
    addon.conv2dBackwardFilter(x, dy, dw, geometry);
  });

  const viaTf = async (backend: string): Promise<number> => {
    await tf.setBackend(backend);
    const xt = tf.tensor4d(x, [n, s, s, c]), wt = tf.tensor4d(w, [3, 3, c, c]);
    const seconds = timeIt(() => tf.tidy(() => { tf.conv2d(xt, wt, 1, 'same').dataSync(); }));
    tf.dispose([xt, wt]);
    return seconds;
  };
  const tfNative = await viaTf('native');
  const wasm = withWasm ? await viaTf('wasm') : null;
  return {
    ...shape, gflop,
    nativeForward: gflop / fwd,
    nativeBackwardData: gflop / bwdData,
    nativeBackwardFilter: gflop / bwdFilter,
    nativeForwardBackward: (3 * gflop) / fwdBwd,
    tfjsNativeForward: gflop / tfNative,
    wasmForward: wasm === null ? null : gflop / wasm,
  };
}

/** CIFAR ResNet-20: 3 stages of 3 basic blocks (16/32/64 channels), 1x1 projection shortcuts. */
function resnet20(): tf.LayersModel {
  const input = tf.input({ shape: [32, 32, 3] });
  const convBnRelu = (x: tf.SymbolicTensor, filters: number, strides: number, relu: boolean) => {
    let y = tf.layers.conv2d({ filters, kernelSize: 3, strides, padding: 'same', useBias: false }).apply(x) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization().apply(y) as tf.SymbolicTensor;
    return relu ? tf.layers.reLU().apply(y) as tf.SymbolicTensor : y;
  };
  let x = convBnRelu(input, 16, 1, true);
  for (const [stage, filters] of [16, 32, 64].entries()) {
    for (let block = 0; block < 3; block++) {
      const strides = stage > 0 && block === 0 ? 2 : 1;
      let shortcut = x;
      if (strides !== 1) {
        shortcut = tf.layers.conv2d({ filters, kernelSize: 1, strides, useBias: false }).apply(x) as tf.SymbolicTensor;
        shortcut = tf.layers.batchNormalization().apply(shortcut) as tf.SymbolicTensor;
      }
      const y = convBnRelu(convBnRelu(x, filters, strides, true), filters, 1, false);
      x = tf.layers.reLU().apply(tf.layers.add().apply([y, shortcut])) as tf.SymbolicTensor;
    }
  }
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

async function resnetBench(batch: number): Promise<{ batch: number; imagesPerSecond: number; stepSeconds: number }> {
  await tf.setBackend('native');
  const model = resnet20();
  const x = tf.tensor4d(random(batch * 32 * 32 * 3), [batch, 32, 32, 3]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10);
  for (let i = 0; i < 2; i++) await model.trainOnBatch(x, y);
  const steps = quick ? 3 : 6;
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await model.trainOnBatch(x, y);
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  const stepSeconds = times[Math.floor(times.length / 2)];
  tf.dispose([x, y]);
  model.dispose();
  return { batch, imagesPerSecond: batch / stepSeconds, stepSeconds };
}

async function main(): Promise<void> {
  await registerNativeBackend();
  const addon = loadNativeAddon();
  if (threadsArg >= 0) addon.setNumThreads(Number(args[threadsArg + 1]));
  const info = addon.info();
  console.log(`oneDNN ${info.dnnlVersion}, ${info.maxThreads} threads`);
  console.log('batch size ch  GFLOP | native fwd  bwd-data  bwd-filter  fwd+bwd | tfjs(native) fwd | wasm fwd   (GFLOP/s)');
  const convs: ConvResult[] = [];
  for (const shape of SHAPES) {
    const r = await convBench(shape);
    convs.push(r);
    const f = (v: number | null) => (v === null ? '   -' : v.toFixed(1).padStart(6));
    console.log(`${String(r.batch).padStart(5)} ${String(r.size).padStart(4)} ${String(r.channels).padStart(3)} ${r.gflop.toFixed(3).padStart(6)} |` +
      `     ${f(r.nativeForward)}    ${f(r.nativeBackwardData)}      ${f(r.nativeBackwardFilter)}   ${f(r.nativeForwardBackward)} |           ${f(r.tfjsNativeForward)} | ${f(r.wasmForward)}`);
  }
  const resnet = [];
  if (withResnet) {
    for (const batch of quick ? [64] : [64, 128]) {
      const r = await resnetBench(batch);
      resnet.push(r);
      console.log(`ResNet-20 training on 'native', batch ${batch}: ${r.imagesPerSecond.toFixed(0)} images/s (${(r.stepSeconds * 1000).toFixed(0)} ms/step)`);
    }
  }
  const outDir = path.resolve('bench-results');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, 'kernels.json');
  fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), dnnl: info, convs, resnet20: resnet }, null, 2));
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
