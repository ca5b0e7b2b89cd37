/**
 * Turns the collected runs into rows (throughput, FLOP/s, share of the nominal peak, ratio to
 * PyTorch from the same run) and prints them as plain-text tables.
 */
import type { BackendReport } from '../../src/protocol/events';
import type { MachineInfo } from './machine';
import type { BenchModel } from './models';
import type { BackendOutcome, KernelTime, ModelRun, PytorchOutcome, StepProfile } from './types';

/** A training step costs about three forward passes (forward, gradient w.r.t. inputs, w.r.t. weights). */
export const TRAIN_FLOPS_FACTOR = 3;

export interface ResultRow {
  engine: string;
  model: string;
  trainImagesPerSecond: number;
  inferImagesPerSecond: number;
  trainGflops: number;
  inferGflops: number;
  /** Achieved / nominal peak of the whole CPU. */
  trainPeakFraction: number;
  inferPeakFraction: number;
  /** Achieved / nominal peak of the cores the engine's threads can use. */
  trainPeakFractionOfUsedCores: number | null;
  /** TF.js images/s divided by PyTorch images/s for the same model, same run; null without PyTorch. */
  trainVsPytorch: number | null;
  inferVsPytorch: number | null;
  /** CPU seconds per wall second in the timed loops (2.0 = two cores busy); low means the engine was starved or idle. */
  trainCpuUse: number;
  inferCpuUse: number;
  /** TF.js / PyTorch in images per CPU-second: less sensitive to other load on the machine, but counts spinning threads as work. */
  trainVsPytorchPerCpuSecond: number | null;
  computeThreads: number | null;
  peakRssMb: number;
  lastLoss: number;
}

function perCpuSecond(run: ModelRun): number {
  return (run.train.steps * run.train.batchSize) / Math.max(run.train.cpuSeconds, 1e-9);
}

export function resultRows(models: BenchModel[], tfjs: BackendOutcome[], pytorch: PytorchOutcome, machine: MachineInfo): ResultRow[] {
  const flopsOf = new Map(models.map((m) => [m.id, m.forwardFlops]));
  const torchRun = (id: string): ModelRun | undefined => (pytorch.ok ? pytorch.models.find((m) => m.model === id) : undefined);
  const peak = machine.peak.gflops;
  const row = (engine: string, run: ModelRun, threads: number | null, peakRssMb: number, compareWithTorch: boolean): ResultRow => {
    const flops = flopsOf.get(run.model) ?? 0;
    const trainGflops = (run.train.imagesPerSecond * flops * TRAIN_FLOPS_FACTOR) / 1e9;
    const inferGflops = (run.infer.imagesPerSecond * flops) / 1e9;
    const torch = compareWithTorch ? torchRun(run.model) : undefined;
    const usedCores = threads === null ? null : Math.min(threads, machine.cores);
    return {
      engine,
      model: run.model,
      trainImagesPerSecond: run.train.imagesPerSecond,
      inferImagesPerSecond: run.infer.imagesPerSecond,
      trainGflops,
      inferGflops,
      trainPeakFraction: trainGflops / peak,
      inferPeakFraction: inferGflops / peak,
      trainPeakFractionOfUsedCores: usedCores === null ? null : trainGflops / ((peak * usedCores) / machine.cores),
      trainVsPytorch: torch ? run.train.imagesPerSecond / torch.train.imagesPerSecond : null,
      inferVsPytorch: torch ? run.infer.imagesPerSecond / torch.infer.imagesPerSecond : null,
      trainCpuUse: run.train.cpuSeconds / run.train.seconds,
      inferCpuUse: run.infer.cpuSeconds / run.infer.seconds,
      trainVsPytorchPerCpuSecond: torch ? perCpuSecond(run) / perCpuSecond(torch) : null,
      computeThreads: threads,
      peakRssMb,
      lastLoss: run.lastLoss,
    };
  };
  const rows: ResultRow[] = [];
  for (const outcome of tfjs) {
    if (!outcome.ok) continue;
    for (const run of outcome.models) rows.push(row(`tfjs ${outcome.backend}`, run, outcome.threads.compute, run.peakRssMb, true));
  }
  if (pytorch.ok) {
    for (const run of pytorch.models) rows.push(row(`pytorch ${pytorch.torchVersion}`, run, pytorch.threads, run.peakRssMb, false));
  }
  return rows;
}

function table(header: string[], body: string[][], rightAligned: (i: number) => boolean): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (rightAligned(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

const num = (v: number, digits = 0): string => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** Whole numbers, with one decimal below 10 so a slow engine does not print as 0. */
const rate = (v: number): string => num(v, v < 10 ? 1 : 0);
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const ratio = (v: number | null): string => (v === null ? '–' : `${v.toFixed(2)}×`);

export function resultsTable(rows: ResultRow[]): string {
  const header = ['engine', 'model', 'train img/s', 'infer img/s', 'train GFLOP/s', 'train % peak', 'infer GFLOP/s', 'infer % peak', 'train vs torch', 'infer vs torch', 'threads', 'train CPU use', 'peak RSS MB'];
  const body = rows.map((r) => [
    r.engine, r.model, rate(r.trainImagesPerSecond), rate(r.inferImagesPerSecond), num(r.trainGflops, 1), pct(r.trainPeakFraction),
    num(r.inferGflops, 1), pct(r.inferPeakFraction), ratio(r.trainVsPytorch), ratio(r.inferVsPytorch),
    r.computeThreads === null ? '?' : String(r.computeThreads), r.trainCpuUse.toFixed(2), num(r.peakRssMb),
  ]);
  return table(header, body, (i) => i >= 2);
}

export function modelsTable(models: BenchModel[]): string {
  const body = models.map((m) => [m.id, m.description, `${(m.forwardFlops / 1e6).toFixed(1)} M`, `${(TRAIN_FLOPS_FACTOR * m.forwardFlops / 1e6).toFixed(1)} M`, num(m.params)]);
  return table(['model', 'architecture', 'fwd FLOPs/img', 'train FLOPs/img', 'params'], body, (i) => i >= 2);
}

export function profileTable(profile: StepProfile): string {
  const shapes = (k: KernelTime): string => k.slowest.inputShapes.map((s) => (s === null ? '–' : `[${s.join(',')}]`)).join(' ');
  const body = profile.top.map((k) => [k.kernel, String(k.calls), num(k.ms, 1), pct(k.share), num(k.slowest.ms, 1), shapes(k)]);
  return table(['kernel', 'calls', 'ms', 'share', 'slowest ms', 'slowest call: input shapes'], body, (i) => i >= 1 && i <= 4);
}

export function unavailableLines(selection: BackendReport | null, tfjs: BackendOutcome[]): string[] {
  const lines: string[] = [];
  for (const s of selection?.skipped ?? []) lines.push(`  ${s.name}: unavailable — ${s.reason}`);
  for (const o of tfjs) if (!o.ok) lines.push(`  ${o.backend}: failed — ${o.reason}`);
  return lines;
}
