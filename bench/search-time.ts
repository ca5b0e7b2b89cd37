/**
 * `npm run bench:search-time`: where one real search's time goes. Runs the CLI on a search
 * config (the demo's, examples/mnist-quick.resbuilder.yaml, unless BENCH_SEARCH_CONFIG names
 * another) in a scratch folder, reads the time report the trainer writes to its run folder
 * (src/trainer/run/time-ledger.ts), prints it and writes bench-results/search-time.json.
 *
 * Environment: BENCH_SEARCH_CONFIG (a .resbuilder.yaml), BENCH_BACKEND (passed as --backend;
 * default: the config's).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TIMING_FILE, timeReportLines, type TimeReport } from '../src/trainer/run/time-ledger';
import { machineInfo } from './lib/machine';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/trainer.js');

/** The newest TIMING_FILE below `dir`. */
function findTiming(dir: string): string | null {
  let best: { file: string; mtime: number } | null = null;
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name === TIMING_FILE) {
        const mtime = fs.statSync(p).mtimeMs;
        if (!best || mtime > best.mtime) best = { file: p, mtime };
      }
    }
  };
  walk(dir);
  return (best as { file: string } | null)?.file ?? null;
}

function main(): void {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first.`);
  const source = path.resolve(process.env.BENCH_SEARCH_CONFIG ?? path.join(ROOT, 'examples/mnist-quick.resbuilder.yaml'));
  if (!fs.existsSync(source)) throw new Error(`BENCH_SEARCH_CONFIG=${source}: no such file; name a .resbuilder.yaml.`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rb-bench-search-time-'));
  const config = path.join(dir, path.basename(source));
  fs.copyFileSync(source, config);
  const machine = machineInfo();
  console.log(`ResBuilder Studio: where a search's time goes — ${new Date().toISOString()}`);
  console.log(`${path.relative(ROOT, source)} on ${machine.cpuModel}, ${machine.cores} cores; load average ${machine.loadAverage.join(' ')}`);
  const backend = process.env.BENCH_BACKEND;
  const started = performance.now();
  const result = spawnSync(process.execPath, [CLI, 'run', config, '--quiet', ...(backend ? ['--backend', backend] : [])], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`the search failed (exit code ${result.status}): ${result.stderr.trim().split('\n').slice(-5).join('\n')}`);
  const timingFile = findTiming(dir);
  if (!timingFile) throw new Error(`the search finished but wrote no ${TIMING_FILE} under ${dir}`);
  const report = JSON.parse(fs.readFileSync(timingFile, 'utf8')) as TimeReport;
  const outside = report.wallSeconds - report.seconds['training-steps'];
  console.log(`The trainer's own report (${path.relative(dir, timingFile)}); the CLI process took ${seconds.toFixed(0)} s in all:`);
  for (const line of timeReportLines(report)) console.log(`  ${line}`);
  console.log(`Outside the training steps: ${outside.toFixed(1)} s, ${((100 * outside) / report.wallSeconds).toFixed(1)} % of the trainer's ${report.wallSeconds.toFixed(0)} s.`);
  const out = path.resolve('bench-results', 'search-time.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify({ timestamp: new Date().toISOString(), config: path.relative(ROOT, source), backend: backend ?? null, machine, processSeconds: seconds, report, outsideTrainingShare: outside / report.wallSeconds }, null, 2)}\n`);
  console.log(`Wrote ${path.relative(process.cwd(), out)}.`);
  fs.rmSync(dir, { recursive: true, force: true });
}

try {
  main();
} catch (error) {
  process.stderr.write(`bench:search-time failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
