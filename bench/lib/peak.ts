/**
 * The "% of peak" column of bench:engine: the work a step really does, over a peak this CPU was
 * measured to reach in the same run (docs/benchmarks.md, "Reading the output").
 */
import { costBreakdown } from '../../src/core/arch/cost';
import { resolveArchitecture } from '../../src/core/arch/resolve';
import type { Architecture } from '../../src/core/arch/types';

export interface WorkCount {
  /** Multiply-add FLOPs (2 per MAC) of one image's forward pass through convs and dense layers. */
  forward: number;
  /** One image's training step: forward, weight gradients, and input gradients of every layer but those reading the image. */
  train: number;
  /** The forward FLOPs of the layers that read the image, whose input gradient nobody computes. */
  readingImage: number;
}

/** A Winograd F(m×m, 3×3) an engine runs, and on which 3×3 stride-1 convolutions. */
export interface WinogradRule {
  /** m: the output tile's side. */
  outputTile: number;
  /** At least this many channels on both sides. */
  minChannels: number;
  /** An output of at least this many rows and columns. */
  minOutput: number;
}

/** oneDNN's F(4×4, 3×3) in the native backend (docs/benchmarks.md, "Winograd convolutions in training"). */
export const NATIVE_WINOGRAD: WinogradRule = { outputTile: 4, minChannels: 32, minOutput: 4 };
/** The wasm backend's own F(2×2, 3×3) (docs/wasm-kernels.md, "Winograd convolutions"). */
export const WASM_WINOGRAD: WinogradRule = { outputTile: 2, minChannels: 8, minOutput: 2 };

/** Which Winograd an engine ran in each mode; a mode without one ran direct convolutions. */
export interface EngineWinograd {
  train?: WinogradRule;
  infer?: WinogradRule;
}

/**
 * Winograd F(m×m, 3×3) multiplies (m + 2)² transformed values elementwise per m×m output tile and
 * channel pair, where the direct form does 9·m²: 36 for 144 with m = 4, 16 for 36 with m = 2. The
 * tile transforms are left out (they grow with one channel count, the products with both), so
 * this is a lower bound of the work done.
 */
export function winogradFlops(rule: WinogradRule, outHeight: number, outWidth: number, inChannels: number, outChannels: number): number {
  const m = rule.outputTile;
  return 2 * Math.ceil(outHeight / m) * Math.ceil(outWidth / m) * (m + 2) ** 2 * inChannels * outChannels;
}

/**
 * A weight gradient costs what the forward product costs, and so does an input gradient; the
 * layers that read the image itself get no input gradient (the image is no variable, and neither
 * TF.js's tape nor autograd computes it), so training is 3 × forward minus those layers' share.
 * Batch norm, ReLU, pools and the optimizer are elementwise work and are not counted. With a
 * `winograd` rule, the convolutions it covers count at Winograd's multiply-adds in all three
 * products (forward, input and weight gradient).
 */
export function workCount(arch: Architecture, winograd?: WinogradRule): WorkCount {
  const rows = costBreakdown(arch);
  const resolved = resolveArchitecture(arch);
  const first = resolved.layers[0]?.layer.id;
  const imageSkips = new Set(resolved.skips.filter((s) => s.fromIndex === 0).map((s) => `${s.skip.id}.proj`));
  const covered = new Set(winograd === undefined ? [] : resolved.layers.filter(({ layer, inShape, outShape }) =>
    layer.kind === 'conv' && layer.kernel === 3 && layer.stride === 1 && inShape[2] >= winograd.minChannels &&
    outShape[2] >= winograd.minChannels && outShape[0] >= winograd.minOutput && outShape[1] >= winograd.minOutput).map(({ layer }) => layer.id));
  const asRun = (r: (typeof rows)[number]): number => (winograd !== undefined && covered.has(r.id)
    ? winogradFlops(winograd, r.outShape[0], r.outShape[1], r.inShape[2], r.outShape[2]) : r.flops);
  const forward = rows.reduce((sum, r) => sum + asRun(r), 0);
  const readingImage = rows.filter((r) => r.id === first || imageSkips.has(r.id)).reduce((sum, r) => sum + asRun(r), 0);
  return { forward, train: 3 * forward - readingImage, readingImage };
}

export interface PeakMeasurement {
  /** Who measured it: 'tfjs native' or 'pytorch'. */
  source: string;
  /** Square matrix size n of the n×n·n×n float32 products. */
  size: number;
  /** Best GFLOP/s over the timed repeats (2·n³ FLOPs per product). */
  gflops: number;
  threads: number;
}

export interface MeasuredPeak {
  /** The highest of the measurements: the most dense FMA work this CPU was seen to do in the run. */
  gflops: number;
  source: string;
  measurements: PeakMeasurement[];
}

/** The best of the matmul measurements, or null when none was made (no native backend and no PyTorch). */
export function measuredPeak(measurements: readonly PeakMeasurement[]): MeasuredPeak | null {
  const valid = measurements.filter((m) => Number.isFinite(m.gflops) && m.gflops > 0);
  if (valid.length === 0) return null;
  const best = valid.reduce((a, b) => (b.gflops > a.gflops ? b : a));
  return { gflops: best.gflops, source: best.source, measurements: [...measurements] };
}

/** GFLOP/s a throughput means for `flopsPerImage` of work. */
export function gflops(imagesPerSecond: number, flopsPerImage: number): number {
  return (imagesPerSecond * flopsPerImage) / 1e9;
}

export interface OverPeak {
  label: string;
  fraction: number;
}

/**
 * Figures above the measured peak are printed as they are, never capped; these lines say why
 * such a figure can happen, so a reader knows what it means rather than meeting it unexplained.
 */
export function overPeakNotes(over: readonly OverPeak[]): string[] {
  if (over.length === 0) return [];
  return [
    `Above 100 % of the measured peak: ${over.map((o) => `${o.label} ${(o.fraction * 100).toFixed(0)} %`).join(', ')}. Not capped. ` +
      'The column counts the direct multiply-adds of each convolution; an engine that computes a 3×3 convolution with Winograd or FFT ' +
      'does fewer multiplications than that, so its figure can pass the peak of a plain matrix product. The peak is also the best of a few ' +
      'short measurements on a shared machine: a round that ran while the machine was quieter than at every one of them can pass it too.',
  ];
}
