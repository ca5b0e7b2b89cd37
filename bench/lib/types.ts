/**
 * The figures the engine benchmark collects. Worker processes (one per TF.js backend) and the
 * PyTorch script send these to the main process as JSON, which joins them into one report.
 */
import type { PeakMeasurement } from './peak';

/** One timed loop: `steps` batches of `batchSize` images in `seconds` of wall-clock time. */
export interface Timing {
  steps: number;
  batchSize: number;
  seconds: number;
  imagesPerSecond: number;
  /** Mean wall-clock milliseconds per batch. */
  msPerStep: number;
  /**
   * CPU seconds the process used in the loop, all threads together. On a shared machine,
   * cpuSeconds / seconds shows how much of the CPU the engine really got (2.0 = two busy cores).
   */
  cpuSeconds: number;
}

/** One kernel's share of a profiled training step, summed over its calls (per step). */
export interface KernelTime {
  kernel: string;
  calls: number;
  ms: number;
  /** Fraction of the summed kernel time of the step. */
  share: number;
  /** The slowest single call: its time and input shapes, to tell which layer the time goes to. */
  slowest: { ms: number; inputShapes: (number[] | null)[] };
}

export interface StepProfile {
  /** Sum of the backend's kernel times in one step (ms); a kernel called from inside another counts in the outer one only. */
  kernelMs: number;
  /** Wall-clock time of one profiled step (ms); the gap to kernelMs is JavaScript outside kernels. */
  wallMs: number;
  kernelCalls: number;
  top: KernelTime[];
}

/** The figures of one model on one engine (a TF.js backend or PyTorch). */
export interface ModelRun {
  model: string;
  train: Timing;
  infer: Timing;
  /** Loss of the last timed training step: finite means the step really trained. */
  lastLoss: number;
  /** Peak resident set size of the process when this model finished (MB); monotonic over the process. */
  peakRssMb: number;
  profile?: StepProfile;
}

export interface BackendThreads {
  /** Threads the backend computes with (OpenMP threads for native, 1 for wasm), when known. */
  compute: number | null;
  /** Operating-system threads of the worker process at the end of the run (Node's own included). */
  process: number | null;
}

export interface PytorchRun {
  engine: 'pytorch';
  ok: true;
  torchVersion: string;
  threads: number;
  /** The memory layout used for the timed runs (the faster of the two in a short trial). */
  layout: 'channels_last' | 'contiguous';
  layoutTrial: Record<'channels_last' | 'contiguous', Record<string, number>>;
  mkldnn: boolean;
  peakRssMb: number;
  wallSeconds: number;
  models: (ModelRun & { params: number })[];
}

export interface PytorchFailure {
  engine: 'pytorch';
  ok: false;
  reason: string;
}

export type PytorchOutcome = PytorchRun | PytorchFailure;

/** What the main process asks an engine process for, one request at a time. */
export type EngineRequest =
  | { type: 'round'; model: string; mode: 'train' | 'infer' }
  | { type: 'peak'; size: number; seconds: number }
  | { type: 'profile'; model: string }
  | { type: 'finish' };

/** An engine process's answers: 'ready' once after start, then one per request. */
export type EngineReply =
  | { type: 'ready'; threads: number | null; detail: string }
  | { type: 'round'; timing: Timing; lastLoss: number }
  | { type: 'peak'; measurement: PeakMeasurement }
  | { type: 'profile'; profile: StepProfile }
  | { type: 'finished'; threads: BackendThreads; peakRssMb: number; winogradConvs: number }
  | { type: 'failed'; reason: string };
