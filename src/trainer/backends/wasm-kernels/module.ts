/**
 * Loads the project's SIMD kernels (wasm/assembly, compiled by `npm run build` into
 * dist/resbuilder-kernels.wasm) and binds them to a TF.js wasm backend's heap. The module
 * imports that backend's WebAssembly.Memory, so the kernels read and write tensors in place:
 * no copies in or out.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export const KERNELS_FILE = 'resbuilder-kernels.wasm';

/** The exports of wasm/assembly/index.ts; every pointer is a byte offset into the backend's heap. */
export interface SimdKernels {
  conv2dFilterGrad(x: number, dy: number, dw: number, n: number, h: number, w: number, cin: number, ho: number,
    wo: number, cout: number, kh: number, kw: number, sh: number, sw: number, padTop: number, padLeft: number): void;
  batchMoments(x: number, rows: number, c: number, mean: number, variance: number, scratch: number): void;
  batchNormGradSums(dy: number, x: number, mean: number, invStd: number, rows: number, c: number, sumDy: number,
    sumDyXhat: number, scratch: number): void;
  batchNormGradInput(dy: number, x: number, mean: number, invStd: number, gamma: number, sumDy: number,
    sumDyXhat: number, count: number, rows: number, c: number, dx: number, scratch: number): void;
  batchNormApply(x: number, mean: number, variance: number, offset: number, scale: number, epsilon: number, rows: number,
    c: number, y: number, scratch: number): void;
  reluGrad(dy: number, x: number, out: number, size: number): void;
  conv2dInputGrad(dy: number, wt: number, dx: number, n: number, h: number, w: number, cin: number, ho: number,
    wo: number, cout: number, kh: number, kw: number, sh: number, sw: number, padTop: number, padLeft: number): void;
  copyChannels(src: number, dst: number, pixels: number, srcC: number, dstC: number): void;
  winogradFilter(g: number, u: number, cin: number, cout: number, cinPadded: number, coutPadded: number): void;
  winogradConv3x3(x: number, u: number, y: number, n: number, h: number, w: number, cin: number, ho: number, wo: number,
    cout: number, padTop: number, padLeft: number, bias: number, relu: boolean, scratch: number, tileBlock: number): void;
  winogradFilterGrad(x: number, dy: number, dw: number, n: number, h: number, w: number, cin: number, ho: number, wo: number,
    cout: number, padTop: number, padLeft: number, cinReal: number, coutReal: number, du: number, scratch: number, tileBlock: number): void;
}

const EXPORTS: readonly (keyof SimdKernels)[] = [
  'conv2dFilterGrad', 'batchMoments', 'batchNormApply', 'batchNormGradSums', 'batchNormGradInput', 'reluGrad', 'conv2dInputGrad', 'copyChannels',
  'winogradFilter', 'winogradConv3x3', 'winogradFilterGrad',
];

/**
 * Where the compiled module can be: next to the running bundle (dist/), or in the dist/ of a
 * folder above it or above the installed tfjs-backend-wasm (a bundle copied elsewhere still
 * loads its packages from the extension's node_modules).
 */
export function kernelsFileCandidates(starts: readonly string[] = defaultStarts()): string[] {
  const candidates: string[] = [];
  const fromEnv = process.env.RESBUILDER_WASM_KERNELS;
  if (fromEnv) candidates.push(path.resolve(fromEnv));
  for (const start of starts) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      candidates.push(path.join(dir, KERNELS_FILE), path.join(dir, 'dist', KERNELS_FILE));
      if (path.dirname(dir) === dir) break;
    }
  }
  return [...new Set(candidates)];
}

function defaultStarts(): string[] {
  const starts = [typeof __dirname === 'string' ? __dirname : process.cwd()];
  try {
    starts.push(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')));
  } catch {
    // Not resolvable from here: the wasm backend itself will report that.
  }
  return starts;
}

let compiled: WebAssembly.Module | undefined;

function compileKernels(): WebAssembly.Module {
  if (compiled) return compiled;
  const candidates = kernelsFileCandidates();
  const file = candidates.find((candidate) => fs.existsSync(candidate));
  if (file === undefined) {
    throw new Error(`the wasm SIMD kernels (${KERNELS_FILE}) are not built; run 'npm run build' in the extension's folder (looked in ${candidates.slice(0, 3).join(', ')}, …)`);
  }
  compiled = new WebAssembly.Module(fs.readFileSync(file));
  return compiled;
}

function heapMemory(backend: BackendWasm): WebAssembly.Memory {
  // Emscripten keeps the module's exports, the memory among them, on `asm`.
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) {
    throw new Error('the TF.js wasm backend does not expose its WebAssembly.Memory (Module.asm.memory); @tensorflow/tfjs-backend-wasm 4.22 does');
  }
  return memory;
}

const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();

/** The kernels bound to `backend`'s heap, instantiated on first use for each backend. */
export function simdKernels(backend: BackendWasm): SimdKernels {
  const memory = heapMemory(backend);
  const existing = instances.get(memory);
  if (existing) return existing;
  const instance = new WebAssembly.Instance(compileKernels(), { env: { memory } });
  for (const name of EXPORTS) {
    if (typeof instance.exports[name] !== 'function') {
      throw new Error(`${KERNELS_FILE} does not export '${name}'; rebuild it with 'npm run build'`);
    }
  }
  const kernels = instance.exports as unknown as SimdKernels;
  instances.set(memory, kernels);
  return kernels;
}
