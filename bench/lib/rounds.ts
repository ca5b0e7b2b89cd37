/**
 * The round plan of bench:engine: TF.js and PyTorch alternate in short timed rounds, so load from
 * other programs lands on both sides alike, and each TF.js round is compared with the PyTorch
 * rounds just before and after it (docs/benchmarks.md, "What runs"). Pure: no timing here.
 */
import { spread, type Spread } from '../../src/core/stats';

export type Mode = 'train' | 'infer';
export type Layout = 'channels_last' | 'contiguous';
export const LAYOUTS: readonly Layout[] = ['channels_last', 'contiguous'];
export const PYTORCH = 'pytorch';

export interface TfjsEngine {
  /** 'native', 'wasm', 'wasm-2workers'. */
  id: string;
  /** The modes the engine is measured in (data-parallel wasm only trains; evaluation runs on the training thread). */
  modes: readonly Mode[];
}

export interface Round {
  engine: string;
  model: string;
  mode: Mode;
  /** 0-based round number within (model, mode). */
  round: number;
  /** Set on PyTorch's layout-probe rounds. */
  layout?: Layout;
}

/**
 * For each model and mode: PyTorch, then every TF.js engine followed by PyTorch, `rounds` times,
 * so the sequence alternates TF.js and PyTorch and starts and ends with PyTorch. The TF.js
 * engines' order rotates from round to round, so none always follows another one's load.
 */
export function roundSchedule(models: readonly string[], engines: readonly TfjsEngine[], rounds: number): Round[] {
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`rounds = ${rounds}: expected a whole number ≥ 1 (BENCH_ROUNDS)`);
  const plan: Round[] = [];
  for (const model of models) {
    for (const mode of ['train', 'infer'] as const) {
      const measured = engines.filter((e) => e.modes.includes(mode));
      if (measured.length === 0) continue;
      let torchRound = 0;
      plan.push({ engine: PYTORCH, model, mode, round: torchRound++ });
      for (let round = 0; round < rounds; round++) {
        for (let i = 0; i < measured.length; i++) {
          const engine = measured[(i + round) % measured.length];
          plan.push({ engine: engine.id, model, mode, round });
          plan.push({ engine: PYTORCH, model, mode, round: torchRound++ });
        }
      }
    }
  }
  return plan;
}

/** PyTorch's layout probe: the two layouts alternating, `trials` rounds each, per model and mode. */
export function layoutProbeSchedule(models: readonly string[], trials: number): Round[] {
  const plan: Round[] = [];
  for (const model of models) {
    for (const mode of ['train', 'infer'] as const) {
      for (let round = 0; round < trials; round++) {
        const order = round % 2 === 0 ? LAYOUTS : [...LAYOUTS].reverse();
        for (const layout of order) plan.push({ engine: PYTORCH, model, mode, round, layout });
      }
    }
  }
  return plan;
}

export interface MeasuredRound extends Round {
  imagesPerSecond: number;
  /** CPU seconds per wall second of the engine's process in the round. */
  cpuUse: number;
}

/** The layout with the higher median throughput over its probe rounds; ties go to PyTorch's default (contiguous). */
export function chooseLayout(trials: readonly { layout: Layout; imagesPerSecond: number }[]): Layout {
  const med = (layout: Layout): number => spread(trials.filter((t) => t.layout === layout).map((t) => t.imagesPerSecond))?.median ?? -Infinity;
  if (med('channels_last') === -Infinity && med('contiguous') === -Infinity) throw new Error('chooseLayout: no probe rounds to choose from');
  return med('channels_last') > med('contiguous') ? 'channels_last' : 'contiguous';
}

export interface EngineSummary {
  engine: string;
  model: string;
  mode: Mode;
  imagesPerSecond: Spread;
  cpuUse: number;
  /** TF.js img/s ÷ the mean of the neighbouring PyTorch rounds, one value per round; null for PyTorch itself. */
  ratio: Spread | null;
  ratios: number[];
  /**
   * The same ratio in images per CPU-second of each side's process: it depends much less on how
   * much of the CPU a neighbour left each side, but counts threads spinning while they wait as work.
   */
  ratioPerCpuSecond: Spread | null;
}

/**
 * Per engine × model × mode: the spread of throughput over the rounds, and for TF.js the spread of
 * its per-round ratio to PyTorch. `measured` is in the order the rounds ran (roundSchedule's).
 */
export function summarizeRounds(measured: readonly MeasuredRound[]): EngineSummary[] {
  const timed = measured.filter((r) => r.layout === undefined);
  const key = (r: Round): string => `${r.engine}\u0000${r.model}\u0000${r.mode}`;
  const groups = new Map<string, MeasuredRound[]>();
  for (const r of timed) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  const ratiosOf = (value: (r: MeasuredRound) => number): Map<string, number[]> => {
    const ratios = new Map<string, number[]>();
    timed.forEach((r, i) => {
      if (r.engine === PYTORCH) return;
      const neighbours = [timed[i - 1], timed[i + 1]].filter((n) => n !== undefined && n.engine === PYTORCH && n.model === r.model && n.mode === r.mode);
      if (neighbours.length === 0) return;
      const torch = neighbours.reduce((s, n) => s + value(n), 0) / neighbours.length;
      ratios.set(key(r), [...(ratios.get(key(r)) ?? []), value(r) / torch]);
    });
    return ratios;
  };
  const wall = ratiosOf((r) => r.imagesPerSecond);
  const perCpu = ratiosOf((r) => r.imagesPerSecond / Math.max(r.cpuUse, 1e-9));
  return [...groups.values()].map((rounds) => {
    const { engine, model, mode } = rounds[0];
    const own = wall.get(key(rounds[0])) ?? [];
    return {
      engine,
      model,
      mode,
      imagesPerSecond: spread(rounds.map((r) => r.imagesPerSecond))!,
      cpuUse: spread(rounds.map((r) => r.cpuUse))!.median,
      ratio: spread(own),
      ratios: own,
      ratioPerCpuSecond: spread(perCpu.get(key(rounds[0])) ?? []),
    };
  });
}
