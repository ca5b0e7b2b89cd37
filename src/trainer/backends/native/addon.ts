// Locates and loads the oneDNN addon (native/build/Release/resbuilder_native.node) and
// describes its functions. The addon is optional: everything here reports a missing or broken
// build as an Error that says how to build it, never as a crash.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeMissingLibrary } from './missing-library';

export const ADDON_RELATIVE_PATH = path.join('native', 'build', 'Release', 'resbuilder_native.node');

export const BUILD_HINT =
  'Install a C++ compiler and oneDNN (Debian: apt-get install g++ make libdnnl-dev), then run ' +
  '`node scripts/build-native.js` (npm install runs it too) in the ResBuilder Studio folder.';

/** Functions exported by the addon; every buffer is a Float32Array of the exact size. */
export interface NativeAddon {
  /** geometry: [n, h, w, c, kh, kw, o, oh, ow, strideH, strideW, dilationH, dilationW, padTop, padLeft, padBottom, padRight] */
  /**
   * residual (the output's shape) is added before the ReLU: relu(conv(x) + bias + residual).
   * constantFilter: the caller runs this filter again with the same values (evaluation), so the
   * addon may keep its transform between calls. 3x3 stride-1 convolutions of 32 channels or more
   * run as Winograd either way, where oneDNN has the kernel (docs/benchmarks.md, "Winograd
   * convolutions in training").
   */
  conv2dForward(x: Float32Array, filter: Float32Array, bias: Float32Array | null, out: Float32Array, geometry: number[], relu: boolean, residual?: Float32Array | null, constantFilter?: boolean): void;
  conv2dBackwardData(dy: Float32Array, filter: Float32Array, dx: Float32Array, geometry: number[]): void;
  conv2dBackwardFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, geometry: number[]): void;
  /** dims: [batch, m, k, n] */
  matmul(a: Float32Array, b: Float32Array, bias: Float32Array | null, out: Float32Array, dims: number[], transposeA: boolean, transposeB: boolean, relu: boolean): void;
  /** geometry: [n, h, w, c, kh, kw, oh, ow, strideH, strideW, padTop, padLeft, padBottom, padRight] */
  pool2dForward(x: Float32Array, out: Float32Array, geometry: number[], isMax: boolean): void;
  pool2dBackward(dy: Float32Array, x: Float32Array | null, dx: Float32Array, geometry: number[], isMax: boolean): void;
  unary(x: Float32Array, out: Float32Array, op: number, alpha: number): void;
  binary(a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], out: Float32Array, outShape: number[], op: number): void;
  addN(inputs: Float32Array[], out: Float32Array): void;
  /** dims: [outer, reduced, inner] */
  reduce(x: Float32Array, out: Float32Array, dims: number[], op: number): void;
  tile(x: Float32Array, inShape: number[], reps: number[], out: Float32Array): void;
  transpose(x: Float32Array, inShape: number[], perm: number[], out: Float32Array): void;
  slice(x: Float32Array, inShape: number[], begin: number[], size: number[], out: Float32Array): void;
  /** Constant padding: `before[d]` and `after[d]` elements of `value` around dimension d. */
  pad(x: Float32Array, inShape: number[], before: number[], after: number[], value: number, out: Float32Array): void;
  batchNormForward(x: Float32Array, mean: Float32Array, variance: Float32Array, offset: Float32Array | null, scale: Float32Array | null, out: Float32Array, channels: number, epsilon: number): void;
  /** Per-channel mean and biased variance of channel-last x (tf.moments over every axis but the last). */
  batchMoments(x: Float32Array, mean: Float32Array, variance: Float32Array, channels: number): void;
  /** Per-channel Σdy and Σdy·x̂ (x̂ = (x − mean)·invStd) of channel-last dy and x into sumDy, sumDyXhat. */
  batchNormGradSums(dy: Float32Array, x: Float32Array, mean: Float32Array, invStd: Float32Array, sumDy: Float32Array, sumDyXhat: Float32Array, channels: number): void;
  /** dx = γ·invStd·(dy − sumDy/count − x̂·sumDyXhat/count), channel last. */
  batchNormGradInput(dy: Float32Array, x: Float32Array, mean: Float32Array, invStd: Float32Array, gamma: Float32Array, sumDy: Float32Array, sumDyXhat: Float32Array, dx: Float32Array, channels: number, count: number): void;
  info(): { dnnlVersion: string; maxThreads: number; primitiveCacheCapacity: number };
  /** winograd: how many of the cached convolution primitives are Winograd ones (forward, input or filter gradient). */
  cacheSizes(): { conv: number; winograd: number; matmul: number; pool: number };
  clearCaches(): void;
  setNumThreads(threads: number): void;
}

const REQUIRED_FUNCTIONS: ReadonlyArray<keyof NativeAddon> = [
  'conv2dForward', 'conv2dBackwardData', 'conv2dBackwardFilter', 'matmul', 'pool2dForward',
  'pool2dBackward', 'unary', 'binary', 'addN', 'reduce', 'tile', 'transpose', 'slice', 'pad', 'batchNormForward', 'batchMoments', 'batchNormGradSums', 'batchNormGradInput', 'info',
  'cacheSizes', 'clearCaches', 'setNumThreads',
];

/** Where the addon may be: RESBUILDER_NATIVE_ADDON, then native/build above this file (source or bundle). */
export function addonCandidates(): string[] {
  const candidates: string[] = [];
  const fromEnv = process.env.RESBUILDER_NATIVE_ADDON;
  if (fromEnv) candidates.push(path.resolve(fromEnv));
  const start = typeof __dirname === 'string' ? __dirname : process.cwd();
  let dir = start;
  for (let depth = 0; depth < 8; depth++) {
    candidates.push(path.join(dir, ADDON_RELATIVE_PATH));
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return candidates;
}

let cached: NativeAddon | undefined;

/** Loads the addon once; throws an Error with the build instructions if it is missing or broken. */
export function loadNativeAddon(): NativeAddon {
  cached ??= loadNativeAddonFrom(addonCandidates());
  return cached;
}

/** Loads the first existing file of `candidates` as the addon (uncached). */
export function loadNativeAddonFrom(candidates: string[]): NativeAddon {
  const file = candidates.find((candidate) => fs.existsSync(candidate));
  if (!file) {
    throw new Error(`The native backend's addon is not built (looked for ${ADDON_RELATIVE_PATH} ` +
      `from ${candidates[0] ?? process.cwd()} upwards). ${BUILD_HINT}`);
  }
  // Training alternates native kernels with JavaScript work on the main thread. OpenMP's
  // default spin-waiting keeps idle worker threads busy in between, which takes the cores
  // from that JavaScript (and from other processes); sleeping workers cost only a wake-up
  // per kernel. libgomp reads this once, when the addon pulls it in. A user setting wins.
  process.env.OMP_WAIT_POLICY ??= 'passive';
  const holder: { exports: Record<string, unknown> } = { exports: {} };
  try {
    process.dlopen(holder, file);
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(describeMissingLibrary(file, message) ?? `The native backend's addon ${file} failed to load: ${message}. ` +
      `Rebuild it: ${BUILD_HINT}`);
  }
  const missing = REQUIRED_FUNCTIONS.filter((name) => typeof holder.exports[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(`The native backend's addon ${file} is out of date (missing ${missing.join(', ')}). ` +
      `Rebuild it: ${BUILD_HINT}`);
  }
  return holder.exports as unknown as NativeAddon;
}
