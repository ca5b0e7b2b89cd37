/**
 * `npm run bench:sweep`: a 3-seed sweep as one Slurm job array on the one-node test cluster
 * (scripts/slurm-test-cluster.sh, in its own folder, started and stopped here) against the same three
 * runs one after another with `resbuilder run`, and the cost of the editor's polling (one
 * `squeue` call for every job). Prints the figures and writes bench-results/sweep.json.
 *
 * Environment: BENCH_SEEDS (1,2,3), BENCH_CPUS (1: cores per task), BENCH_CONFIG (a config file;
 * default a tiny MNIST search), BENCH_SQUEUE_CALLS (20).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { median } from '../src/core/stats';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'bin/resbuilder.js');
const TINY = `mode: search
backend: wasm
dataset: {source: mnist, limit: 192, validationSplit: 0.1}
architecture: {start: empty, blockStyle: standard}
training: {batchSize: 64}
search: {cycles: 1, insertionsPerCycle: 2, epochsPerTraining: 2, finalEpochs: 1, targetFlops: 3.0e+7, deleteThreshold: 0.05}
`;

process.env.RESBUILDER_SLURM_DIR ??= '/tmp/resbuilder-slurm-bench';
process.env.SLURM_CONF = path.join(process.env.RESBUILDER_SLURM_DIR, 'slurm.conf');

function cli(args: string[], cwd: string): string {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (result.status !== 0) throw new Error(`resbuilder ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

async function main(): Promise<void> {
  const seeds = (process.env.BENCH_SEEDS ?? '1,2,3').split(',').map(Number);
  const cpus = process.env.BENCH_CPUS ?? '1';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rb-bench-sweep-'));
  const configText = process.env.BENCH_CONFIG ? fs.readFileSync(process.env.BENCH_CONFIG, 'utf8') : TINY;
  const config = path.join(dir, 'bench.resbuilder.yaml');
  fs.writeFileSync(config, configText);
  execFileSync('bash', [path.join(ROOT, 'scripts/slurm-test-cluster.sh'), 'start'], { stdio: 'inherit' });

  const sweepStart = performance.now();
  const submitted = JSON.parse(cli(['submit', config, '--seeds', seeds.join(','), '--cpus', cpus, '--json'], dir)) as { sweepDir: string; slurm: { jobId: string } };
  const submitSeconds = (performance.now() - sweepStart) / 1000;
  for (;;) {
    const status = JSON.parse(cli(['status', submitted.sweepDir, '--json'], dir)) as { tasks: { state: string }[] };
    if (status.tasks.every((t) => t.state === 'completed')) break;
    if (status.tasks.some((t) => t.state === 'failed' || t.state === 'cancelled')) throw new Error(`a task failed: ${JSON.stringify(status.tasks)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const sweepSeconds = (performance.now() - sweepStart) / 1000;

  const squeueMs: number[] = [];
  for (let i = 0; i < Number(process.env.BENCH_SQUEUE_CALLS ?? 20); i += 1) {
    const t = performance.now();
    execFileSync('squeue', ['-h', '-r', '-t', 'all', '-j', submitted.slurm.jobId, '-o', '%i|%T|%r']);
    squeueMs.push(performance.now() - t);
  }

  const sequentialStart = performance.now();
  for (const seed of seeds) {
    const one = path.join(dir, `seed${seed}.resbuilder.yaml`);
    fs.writeFileSync(one, `${configText}\nseed: ${seed}\n`);
    cli(['run', one, '--quiet'], dir);
  }
  const sequentialSeconds = (performance.now() - sequentialStart) / 1000;

  const result = {
    date: new Date().toISOString(), cores: os.cpus().length, load: os.loadavg(), seeds, cpusPerTask: Number(cpus),
    submitSeconds, sweepSeconds, sequentialSeconds, speedup: sequentialSeconds / sweepSeconds,
    squeueMedianMs: median(squeueMs), squeueMaxMs: Math.max(...squeueMs),
  };
  console.log(`3-seed sweep on the one-node cluster: ${sweepSeconds.toFixed(1)} s (submit returned after ${submitSeconds.toFixed(2)} s)`);
  console.log(`the same runs one after another:     ${sequentialSeconds.toFixed(1)} s  → ${result.speedup.toFixed(2)}× faster as an array`);
  console.log(`one squeue call (polling cost):      median ${result.squeueMedianMs.toFixed(1)} ms, max ${result.squeueMaxMs.toFixed(1)} ms`);
  fs.mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench-results', 'sweep.json'), `${JSON.stringify(result, null, 2)}\n`);
  execFileSync('bash', [path.join(ROOT, 'scripts/slurm-test-cluster.sh'), 'stop'], { stdio: 'inherit' });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
