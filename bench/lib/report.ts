/**
 * Turns the summarised rounds into rows (throughput, FLOP/s, share of the measured peak, ratio to
 * PyTorch with its spread over the rounds) and prints them as plain-text tables.
 */
import type { Spread } from '../../src/core/stats';
import type { BackendReport } from '../../src/protocol/events';
import type { BenchModel } from './models';
import { gflops, workCount, type EngineWinograd, type MeasuredPeak } from './peak';
import { PYTORCH, type EngineSummary, type Layout, type Mode } from './rounds';
import type { KernelTime, StepProfile } from './types';

export interface ResultRow {
  engine: string;
  model: string;
  mode: Mode;
  /** Median over the rounds, and the rounds' range. */
  imagesPerSecond: Spread;
  /** The median round's work over the measured matmul peak; null without a measured peak. */
  gflops: number;
  peakFraction: number | null;
  /** TF.js ÷ PyTorch, per round against the neighbouring PyTorch rounds; null for PyTorch itself or without it. */
  vsPytorch: Spread | null;
  /** The per-round ratios, in round order. */
  ratios: number[];
  /** The ratio in images per CPU-second of each side (rounds.ts, EngineSummary). */
  vsPytorchPerCpuSecond: Spread | null;
  /** Median CPU seconds per wall second in the rounds (2.0 = two busy cores). */
  cpuUse: number;
  /** PyTorch's layout for this model and mode. */
  layout?: Layout;
}

/**
 * `winograd`: per engine, the Winograd it ran in each mode (engine.ts, winogradByEngine); its
 * work in that mode is counted as that Winograd does it.
 */
export function resultRows(models: BenchModel[], summaries: EngineSummary[], peak: MeasuredPeak | null, layouts: Map<string, Layout>,
  winograd: ReadonlyMap<string, EngineWinograd> = new Map()): ResultRow[] {
  const byId = new Map(models.map((m) => [m.id, m]));
  return summaries.map((s) => {
    const model = byId.get(s.model);
    const rule = winograd.get(s.engine)?.[s.mode];
    const w = model === undefined ? undefined : rule === undefined ? model.work : workCount(model.arch, rule);
    const perImage = w === undefined ? 0 : s.mode === 'train' ? w.train : w.forward;
    const achieved = gflops(s.imagesPerSecond.median, perImage);
    return {
      engine: s.engine,
      model: s.model,
      mode: s.mode,
      imagesPerSecond: s.imagesPerSecond,
      gflops: achieved,
      peakFraction: peak === null ? null : achieved / peak.gflops,
      vsPytorch: s.ratio,
      ratios: s.ratios,
      vsPytorchPerCpuSecond: s.ratioPerCpuSecond,
      cpuUse: s.cpuUse,
      layout: s.engine === PYTORCH ? layouts.get(`${s.model}/${s.mode}`) : undefined,
    };
  });
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

const range = (v: Spread, digits: number): string => `${v.min.toFixed(digits)}–${v.max.toFixed(digits)}`;
const moved = (v: Spread): string => `±${((v.relativeRange / 2) * 100).toFixed(0)}%`;

/** The results' cells: one line per engine and model, training and inference side by side, ratios with their spread over the rounds. */
function resultCells(rows: ResultRow[]): { header: string[]; body: string[][] } {
  const header = ['engine', 'model', 'train img/s', 'train × torch', 'rounds min–max', 'moved', 'infer img/s', 'infer × torch', 'rounds min–max', 'moved', 'train % peak', 'infer % peak', 'train CPU use', 'train × torch per CPU-s', 'infer × torch per CPU-s'];
  const keys = [...new Set(rows.map((r) => `${r.engine}\u0000${r.model}`))];
  const body = keys.map((key) => {
    const [engine, model] = key.split('\u0000');
    const of = (mode: Mode): ResultRow | undefined => rows.find((r) => r.engine === engine && r.model === model && r.mode === mode);
    const t = of('train');
    const i = of('infer');
    const cells = (r: ResultRow | undefined): string[] => (r === undefined
      ? ['–', '–', '–', '–']
      : [rate(r.imagesPerSecond.median), r.vsPytorch ? `${r.vsPytorch.median.toFixed(2)}×` : '–', r.vsPytorch ? range(r.vsPytorch, 2) : range(r.imagesPerSecond, 0), r.vsPytorch ? moved(r.vsPytorch) : moved(r.imagesPerSecond)]);
    const peak = (r: ResultRow | undefined): string => (r?.peakFraction == null ? '–' : pct(r.peakFraction));
    const perCpu = (r: ResultRow | undefined): string => (r?.vsPytorchPerCpuSecond ? `${r.vsPytorchPerCpuSecond.median.toFixed(2)}× (${range(r.vsPytorchPerCpuSecond, 2)})` : '–');
    return [engine === PYTORCH ? `pytorch (${[t?.layout, i?.layout].filter((l) => l !== undefined).join(' / ')})` : `tfjs ${engine}`, model, ...cells(t), ...cells(i), peak(t), peak(i), t ? t.cpuUse.toFixed(2) : '–', perCpu(t), perCpu(i)];
  });
  return { header, body };
}

export function resultsTable(rows: ResultRow[]): string {
  const { header, body } = resultCells(rows);
  return table(header, body, (i) => i >= 2);
}

/** The same figures as a Markdown table, for docs/benchmarks.md. */
export function markdownTable(rows: ResultRow[]): string {
  const { header, body } = resultCells(rows);
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i >= 2 ? '--:' : '---')).join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function modelsTable(models: BenchModel[]): string {
  const body = models.map((m) => [m.id, m.description, `${(m.work.forward / 1e6).toFixed(1)} M`, `${(m.work.train / 1e6).toFixed(1)} M`, num(m.params)]);
  return table(['model', 'architecture', 'fwd FLOPs/img', 'train FLOPs/img', 'params'], body, (i) => i >= 2);
}

export function profileTable(profile: StepProfile): string {
  const shapes = (k: KernelTime): string => k.slowest.inputShapes.map((s) => (s === null ? '–' : `[${s.join(',')}]`)).join(' ');
  const body = profile.top.map((k) => [k.kernel, String(k.calls), num(k.ms, 1), pct(k.share), num(k.slowest.ms, 1), shapes(k)]);
  return table(['kernel', 'calls', 'ms', 'share', 'slowest ms', 'slowest call: input shapes'], body, (i) => i >= 1 && i <= 4);
}

export function unavailableLines(selection: BackendReport | null, failed: readonly { id: string; reason: string }[]): string[] {
  const lines: string[] = [];
  for (const s of selection?.skipped ?? []) lines.push(`  ${s.name}: unavailable — ${s.reason}`);
  for (const f of failed) lines.push(`  ${f.id}: failed — ${f.reason}`);
  return lines;
}
