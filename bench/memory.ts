/**
 * `npm run bench:memory`: the resident memory of a CIFAR-10-sized search (50,000 training
 * images of 32×32×3), sampled from outside the trainer, at every epoch end and around every
 * structural change. The check of docs/benchmarks.md: it stays under 1.5 GB and does not grow
 * from epoch to epoch or with the network's changes.
 *
 * The images are written as real CIFAR-10 binary files (so the trainer's own loader reads
 * them) and are synthetic: CIFAR-10 cannot be downloaded here. Each class is a colour pattern
 * plus noise and a random shift, so the network learns and the search makes decisions as it
 * would on photos; memory does not depend on what the pixels show.
 *
 * Environment: BENCH_MEMORY_IMAGES (training images, 50000), BENCH_BACKEND (auto),
 * BENCH_OUT (bench-results/memory.json). Linux only (reads /proc/<pid>/status).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Rng } from '../src/core/rng';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/trainer.js');
const LIMIT_MB = 1536;
const SIDE = 32;
const RECORD = 1 + SIDE * SIDE * 3;

interface Sample {
  t: number;
  rssMb: number;
}

interface Mark {
  t: number;
  label: string;
  kind: 'epoch' | 'change';
  phase?: string;
  /** The network's forward FLOPs when the event was written. */
  flops: number;
}

function readOptions(): { images: number; backend: string; outFile: string } {
  const images = Number(process.env.BENCH_MEMORY_IMAGES ?? '50000');
  if (!Number.isInteger(images) || images < 1000 || images % 5 !== 0) {
    throw new Error(`BENCH_MEMORY_IMAGES=${process.env.BENCH_MEMORY_IMAGES}: expected a whole number of at least 1000, divisible by 5 (one CIFAR batch file per fifth).`);
  }
  return { images, backend: process.env.BENCH_BACKEND ?? 'auto', outFile: process.env.BENCH_OUT ?? path.join(ROOT, 'bench-results/memory.json') };
}

/** One CIFAR-10 binary file of `count` records: label byte, then the red, green and blue planes. */
function writeCifarFile(file: string, count: number, rng: Rng, patterns: Float32Array[]): void {
  const buffer = Buffer.alloc(count * RECORD);
  for (let i = 0; i < count; i++) {
    const label = rng.int(10);
    const dx = rng.int(7) - 3, dy = rng.int(7) - 3;
    const base = i * RECORD;
    buffer[base] = label;
    const pattern = patterns[label];
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < SIDE; y++) {
        for (let x = 0; x < SIDE; x++) {
          const sy = (y + dy + SIDE) % SIDE, sx = (x + dx + SIDE) % SIDE;
          const value = pattern[(c * SIDE + sy) * SIDE + sx] + 80 * (rng.next() - 0.5);
          buffer[base + 1 + (c * SIDE + y) * SIDE + x] = Math.max(0, Math.min(255, Math.round(value)));
        }
      }
    }
  }
  fs.writeFileSync(file, buffer);
}

/** A smooth colour pattern per class: a few random waves per channel. */
function classPatterns(rng: Rng): Float32Array[] {
  return Array.from({ length: 10 }, () => {
    const p = new Float32Array(3 * SIDE * SIDE);
    for (let c = 0; c < 3; c++) {
      const fx = 1 + rng.int(3), fy = 1 + rng.int(3), phase = rng.next() * Math.PI * 2, level = 60 + rng.int(120);
      for (let y = 0; y < SIDE; y++) {
        for (let x = 0; x < SIDE; x++) {
          p[(c * SIDE + y) * SIDE + x] = level + 60 * Math.sin((2 * Math.PI * (fx * x + fy * y)) / SIDE + phase);
        }
      }
    }
    return p;
  });
}

function writeDataset(dir: string, images: number): void {
  const rng = new Rng(11, 'bench-memory');
  const patterns = classPatterns(rng);
  fs.mkdirSync(dir, { recursive: true });
  for (let b = 1; b <= 5; b++) writeCifarFile(path.join(dir, `data_batch_${b}.bin`), images / 5, rng, patterns);
  writeCifarFile(path.join(dir, 'test_batch.bin'), Math.min(10000, images / 5), rng, patterns);
}

function configYaml(dataDir: string, backend: string): string {
  // The quick preset with one epoch per training: six trainings with structural changes between
  // them, then three final epochs of one network; nine epochs over 50,000 images in all.
  return `seed: 5\nbackend: ${backend}\nmode: search\npreset: quick\n` +
    `dataset:\n  source: cifar10\n  path: ${JSON.stringify(dataDir)}\n` +
    'architecture:\n  start: empty\n  blockStyle: standard\n' +
    'search:\n  cycles: 2\n  insertionsPerCycle: 2\n  epochsPerTraining: 1\n  finalEpochs: 3\n';
}

function residentMb(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Runs the CLI on the config and samples its resident memory every 250 ms. */
function runSampled(config: string): Promise<Sample[]> {
  const samples: Sample[] = [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'run', config], { stdio: ['ignore', 'inherit', 'inherit'] });
    const timer = setInterval(() => {
      const rss = child.pid === undefined ? null : residentMb(child.pid);
      if (rss !== null) samples.push({ t: Date.now(), rssMb: rss });
    }, 250);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code !== 0) reject(new Error(`the trainer exited with code ${code}; its run folder keeps the events written so far`));
      else resolve(samples);
    });
  });
}

function readMarks(runsDir: string): Mark[] {
  const runs = fs.readdirSync(runsDir).map((d) => path.join(runsDir, d)).filter((d) => fs.existsSync(path.join(d, 'events.jsonl')));
  const latest = runs.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  const marks: Mark[] = [];
  let flops = 0;
  for (const line of fs.readFileSync(path.join(latest, 'events.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const event = JSON.parse(line) as { type: string; time: string; phase?: string; epoch?: number; flops?: number; change?: { kind: string; blockId?: string } };
    const t = Date.parse(event.time);
    if (event.type === 'architecture' && typeof event.flops === 'number') flops = event.flops;
    if (event.type === 'epoch-end') marks.push({ t, kind: 'epoch', phase: event.phase, label: `${event.phase} epoch ${event.epoch}`, flops });
    if (event.type === 'structural-change' && event.change && !event.change.kind.endsWith('skipped')) {
      marks.push({ t, kind: 'change', label: `${event.change.kind}${event.change.blockId ? ` ${event.change.blockId}` : ''}`, flops });
    }
  }
  return marks;
}

/** The last sample at or before t (the memory the process had when the event was written). */
function rssAt(samples: Sample[], t: number): number {
  let value = samples[0]?.rssMb ?? 0;
  for (const s of samples) {
    if (s.t > t) break;
    value = s.rssMb;
  }
  return value;
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error('dist/trainer.js is missing: run `npm run build` first.');
  if (!fs.existsSync('/proc/self/status')) throw new Error('bench:memory reads /proc/<pid>/status and runs on Linux only.');
  const options = readOptions();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-bench-memory-'));
  try {
    process.stdout.write(`Writing ${options.images} synthetic 32×32×3 training images as CIFAR-10 binary files in ${dir} …\n`);
    writeDataset(path.join(dir, 'data'), options.images);
    const config = path.join(dir, 'memory.resbuilder.yaml');
    fs.writeFileSync(config, configYaml(path.join(dir, 'data'), options.backend));
    const started = Date.now();
    const samples = await runSampled(config);
    const marks = readMarks(path.join(dir, '.resbuilder', 'runs'));
    const peak = Math.max(...samples.map((s) => s.rssMb));
    const epochs = marks.filter((m) => m.kind === 'epoch').map((m) => ({ label: m.label, phase: m.phase, mflops: m.flops / 1e6, rssMb: rssAt(samples, m.t) }));
    const changes = marks.filter((m) => m.kind === 'change').map((m) => ({ label: m.label, beforeMb: rssAt(samples, m.t - 1), afterMb: rssAt(samples, m.t + 3000) }));
    // Memory follows the network's size, so flatness is judged on epochs of one network: the
    // final training's epochs (the first includes the pool filling for that network).
    const final = epochs.filter((e) => e.phase === 'final').map((e) => e.rssMb);
    const finalDriftMb = final.length > 1 ? final[final.length - 1] - final[0] : 0;
    const summary = {
      date: new Date().toISOString(), images: options.images, backend: options.backend, seconds: (Date.now() - started) / 1000,
      peakMb: peak, limitMb: LIMIT_MB, underLimit: peak < LIMIT_MB,
      epochEnds: epochs, finalTrainingDriftMb: finalDriftMb, structuralChanges: changes, samples: samples.length,
    };
    const lines = [
      '', `Resident memory of a search on ${options.images} images of 32×32×3 (sampled every 250 ms, ${samples.length} samples):`,
      `  peak ${peak.toFixed(0)} MB (limit ${LIMIT_MB} MB: ${peak < LIMIT_MB ? 'under' : 'OVER'})`,
      `  final training (one network, ${final.length} epochs): ${finalDriftMb >= 0 ? '+' : ''}${finalDriftMb.toFixed(0)} MB from its first epoch end to its last`,
      '', '  epoch end                 network MFLOPs  resident',
      ...epochs.map((e) => `  ${e.label.padEnd(24)}  ${e.mflops.toFixed(1).padStart(14)}  ${e.rssMb.toFixed(0).padStart(6)} MB`),
      '', '  structural change         before → 3 s after',
      ...changes.map((c) => `  ${c.label.padEnd(24)}  ${c.beforeMb.toFixed(0).padStart(6)} → ${c.afterMb.toFixed(0)} MB`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    fs.mkdirSync(path.dirname(options.outFile), { recursive: true });
    fs.writeFileSync(options.outFile, JSON.stringify(summary, null, 2));
    process.stdout.write(`\nwritten to ${options.outFile}\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:memory: ${(error as Error).message}\n`);
  process.exit(1);
});
