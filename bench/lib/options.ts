/**
 * Benchmark settings from environment variables, so `npm run bench:engine` needs no arguments
 * and a longer or narrower run is one variable away.
 */
import { BackendNameSchema, type BackendName } from '../../src/protocol/events';

export interface BenchOptions {
  /** Target wall-clock seconds of each timed training loop (inference gets half); bench:layers and bench:workers. */
  seconds: number;
  /** bench:engine: target seconds of one timed training round (an inference round gets half). */
  roundSeconds: number;
  /** bench:engine: timed rounds per engine, model and mode, TF.js and PyTorch alternating. */
  rounds: number;
  /** A fixed number of timed steps (per loop or round) instead of a time target. */
  steps: number | null;
  warmupSteps: number;
  batchSize: number;
  /** TF.js backends to measure; null: every available one except `cpu`. */
  backends: BackendName[] | null;
  /** Model ids to measure; null: all. */
  models: string[] | null;
  /** Python interpreter for the PyTorch comparison: a path, 'auto' (/usr/bin/python3, then python3), or null to skip. */
  python: string | null;
  outFile: string;
  seed: number;
}

function positive(name: string, raw: string | undefined, fallback: number, integer: boolean): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`Environment variable ${name}=${raw}: expected a positive ${integer ? 'whole ' : ''}number.`);
  }
  return value;
}

function list(raw: string | undefined): string[] | null {
  if (raw === undefined || raw.trim() === '') return null;
  return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export function readOptions(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const backends = list(env.BENCH_BACKENDS)?.map((name) => {
    const parsed = BackendNameSchema.safeParse(name);
    if (!parsed.success) throw new Error(`BENCH_BACKENDS names '${name}'; use a comma list of ${BackendNameSchema.options.join(', ')}.`);
    return parsed.data;
  }) ?? null;
  return {
    seconds: positive('BENCH_SECONDS', env.BENCH_SECONDS, 8, false),
    roundSeconds: positive('BENCH_ROUND_SECONDS', env.BENCH_ROUND_SECONDS, 2, false),
    rounds: positive('BENCH_ROUNDS', env.BENCH_ROUNDS, 5, true),
    steps: env.BENCH_STEPS ? positive('BENCH_STEPS', env.BENCH_STEPS, 1, true) : null,
    warmupSteps: env.BENCH_WARMUP === '0' ? 0 : positive('BENCH_WARMUP', env.BENCH_WARMUP, 2, true),
    batchSize: positive('BENCH_BATCH', env.BENCH_BATCH, 128, true),
    backends,
    models: list(env.BENCH_MODELS),
    python: env.BENCH_PYTHON === 'none' ? null : (env.BENCH_PYTHON ?? 'auto'),
    outFile: env.BENCH_OUT ?? 'bench-results/engine.json',
    seed: positive('BENCH_SEED', env.BENCH_SEED, 7, true),
  };
}
