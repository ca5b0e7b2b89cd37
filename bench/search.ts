/**
 * `npm run bench:search`: does the search pay? Every found network against a family of fixed
 * CIFAR-style ResNets (depth × width multiplier), each trained exactly as the search's final
 * training is (same epochs, schedule, data and augmentation), on built-in MNIST and Fashion-MNIST,
 * over several seeds. Reports the family's accuracy–FLOPs front, each found network's margin over
 * it at its own FLOPs, and the CPU time of the search against training the family; writes
 * bench-results/search.json and an accuracy-against-FLOPs picture per dataset (SVG and PNG).
 *
 * Every job is the real CLI in its own process. Finished jobs are cached under a key of their
 * exact settings (bench/lib/job-cache.ts), so the bench can be stopped and run again later: it
 * prints what is cached and what is left, and redoes nothing it has.
 *
 * Environment:
 * - BENCH_DATASETS (mnist,fashion-mnist), BENCH_SEEDS (1,2,3), BENCH_BACKEND (auto),
 *   BENCH_STYLE (standard), BENCH_FASHION_LIMIT (0 = all), BENCH_FASHION_PATH (IDX folder).
 * - BENCH_RECIPES (default,resnet20; also empty, deeper, resnet8, resnet8-inherit, shrink-resnet20):
 *   which searches (see RECIPES).
 * - BENCH_FAMILY_DEPTHS (8,14,20,32), BENCH_FAMILY_WIDTHS (0.5,0.75,1).
 * - BENCH_FINAL_EPOCHS (12): the found network's final training, and every family member's.
 * - BENCH_ONLY (all | family | search), BENCH_DRY_RUN=1 (list the jobs and what is cached, run none),
 *   BENCH_REPORT_ONLY=1 (report what is cached so far, run none),
 *   BENCH_DOCS=1 (also write the pictures to docs/images and the family's results to
 *   bench/baselines/search-family.json), BENCH_CACHE (the cache folder).
 *
 * A dataset whose family the cache does not hold is reported against the recorded family in
 * bench/baselines/search-family.json (bench/lib/family-record.ts), and the report says so.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cifarResNet } from '../src/core/arch/seeds';
import { PRESETS } from '../src/core/config/presets';
import { serializeArchitecture } from '../src/core/arch/json';
import { mean, sampleSd } from '../src/core/stats';
import { type CostPoint, marginOverFront, paretoFront } from './lib/front';
import { cacheDir, JobCache, jobKey } from './lib/job-cache';
import { type DatasetFamily, type FamilyRecord, readFamilyRecord, recordedFamily, writeFamilyRecord } from './lib/family-record';
import { renderVegaLiteSvg, svgToPng } from '../src/trainer/sweep/plot';

type Dataset = 'mnist' | 'fashion-mnist';

interface FamilyJob {
  kind: 'family';
  dataset: Dataset;
  depth: number;
  width: number;
  seed: number;
}

interface SearchJob {
  kind: 'search';
  dataset: Dataset;
  recipe: string;
  seed: number;
}

type Job = FamilyJob | SearchJob;

interface JobOutcome {
  testAccuracy: number;
  params: number;
  flops: number;
  depth: number;
  wallSeconds: number;
  /** User + system CPU seconds of the trainer process and its threads. */
  cpuSeconds: number;
  backend: string;
  measuredAt: string;
}

type JobResult = Job & JobOutcome;

const ROOT = path.resolve(__dirname, '../..');
const FAMILY_RECORD = path.join(ROOT, 'bench/baselines/search-family.json');
const CLI = path.join(ROOT, 'dist/trainer.js');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const list = (name: string, fallback: string) => (process.env[name] ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);
const numbers = (name: string, fallback: string) => {
  const values = list(name, fallback).map(Number);
  if (values.some((v) => !Number.isFinite(v))) throw new Error(`${name} must be a comma list of numbers, got "${process.env[name]}".`);
  return values;
};

const datasets = list('BENCH_DATASETS', 'mnist,fashion-mnist') as Dataset[];
for (const d of datasets) if (d !== 'mnist' && d !== 'fashion-mnist') throw new Error(`BENCH_DATASETS takes mnist and fashion-mnist, got "${d}".`);
const seeds = numbers('BENCH_SEEDS', '1,2,3');
const backend = process.env.BENCH_BACKEND ?? 'auto';
const style = process.env.BENCH_STYLE ?? 'standard';
const fashionLimit = Number(process.env.BENCH_FASHION_LIMIT ?? '0');
const fashionPath = process.env.BENCH_FASHION_PATH;
const depths = numbers('BENCH_FAMILY_DEPTHS', '8,14,20,32');
const widths = numbers('BENCH_FAMILY_WIDTHS', '0.5,0.75,1');
const finalEpochs = Number(process.env.BENCH_FINAL_EPOCHS ?? '12');
if (!Number.isInteger(finalEpochs) || finalEpochs < 1) throw new Error(`BENCH_FINAL_EPOCHS must be a positive integer, got "${process.env.BENCH_FINAL_EPOCHS}".`);
const only = process.env.BENCH_ONLY ?? 'all';
if (!['all', 'family', 'search'].includes(only)) throw new Error(`BENCH_ONLY must be all, family or search, got "${only}".`);

/**
 * A search's settings beyond the dataset and seed. Both gate deletions on validation accuracy,
 * so no decision of the search has seen the test images its result is judged on.
 */
const START_FILE = 'start.arch.json';
const RECIPES: Record<string, (dataset: Dataset) => string> = {
  // What a new user's config gets: the quick preset as it is (the demo's settings).
  default: () => 'preset: quick\n',
  // The quick preset before it had the auto start and inherited weights: grown from the empty
  // start, the found network trained afresh (docs/benchmarks.md, "What the default search does on 28×28 images").
  empty: () => 'preset: quick\narchitecture:\n  start: empty\nsearch:\n  finalWeights: fresh\n',
  // The default with twice the insertions per cycle: the family's front favours deep, narrow
  // networks over shallow, wide ones at equal FLOPs (docs/benchmarks.md, "Found networks against a
  // family of fixed ResNets"), and the quick preset's 2 × 2 insertions stop at depth 11.
  deeper: () => 'preset: quick\narchitecture:\n  start: empty\nsearch:\n  insertionsPerCycle: 4\n  finalWeights: fresh\n',
  // The default from the family's ResNet-8 instead of the empty start: blocks at 28×28, 14×14
  // and 7×7 rather than 7×7 and 3×3 (docs/benchmarks.md, "What the default search does on 28×28 images").
  resnet8: () => `preset: quick\narchitecture:\n  start: ./${START_FILE}\nsearch:\n  finalWeights: fresh\n`,
  // The quick preset from ResNet-20 down to the quick preset's FLOP target (2e7), keeping the
  // searched weights: shrinking a deep network rather than growing an empty one.
  'shrink-resnet20': () => 'preset: quick\narchitecture:\n  start: resnet20\nsearch:\n  finalWeights: inherit\n',
  // The resnet8 recipe keeping the searched weights for the final training.
  'resnet8-inherit': () => `preset: quick\narchitecture:\n  start: ./${START_FILE}\nsearch:\n  finalWeights: inherit\n`,
  // Start from ResNet-20 with a target just below its cost, and keep the searched weights.
  resnet20: (dataset) => `preset: quick\narchitecture:\n  start: resnet20\nsearch:\n  targetFlops: ${dataset === 'mnist' ? '5e7' : '5.5e7'}\n  finalWeights: inherit\n`,
};
const recipes = list('BENCH_RECIPES', 'default,resnet20');
/** Recipes that start from a family member, written next to the config as START_FILE. */
const RECIPE_STARTS: Record<string, { depth: number; width: number }> = { resnet8: { depth: 8, width: 1 }, 'resnet8-inherit': { depth: 8, width: 1 } };
for (const r of recipes) if (!RECIPES[r]) throw new Error(`BENCH_RECIPES takes ${Object.keys(RECIPES).join(', ')}, got "${r}".`);

function datasetYaml(dataset: Dataset): string {
  // Mirrored digits are other symbols, so MNIST trains without flips (as examples/ does).
  if (dataset === 'mnist') return 'dataset:\n  source: mnist\n  augmentation:\n    flip: false\n';
  if (fashionPath) return `dataset:\n  source: idx\n  path: ${JSON.stringify(fashionPath)}\n${fashionLimit > 0 ? `  limit: ${fashionLimit}\n` : ''}`;
  return `dataset:\n  source: fashion-mnist\n${fashionLimit > 0 ? `  limit: ${fashionLimit}\n` : ''}`;
}

const familyName = (j: FamilyJob) => `resnet${j.depth}-w${j.width}`;
const jobName = (j: Job) => `${j.dataset}-${j.kind === 'family' ? familyName(j) : `search-${j.recipe}`}-seed${j.seed}`;

/** The family member as an `.arch.json` start file: 28×28 grey images, ten classes. */
function familyArchitecture(j: { depth: number; width: number }): string {
  return serializeArchitecture(cifarResNet({ height: 28, width: 28, channels: 1 }, 10, style as 'standard' | 'reference', { depth: j.depth, widthMultiplier: j.width }));
}

/** The `.arch.json` a job starts from when it is not built in: a family member, or a recipe's start. */
function startArchitecture(j: Job): string | null {
  if (j.kind === 'family') return familyArchitecture(j);
  const start = RECIPE_STARTS[j.recipe];
  return start ? familyArchitecture(start) : null;
}

function configYaml(j: Job): string {
  const head = `seed: ${j.seed}\nbackend: ${backend}\n${datasetYaml(j.dataset)}`;
  if (j.kind === 'family') {
    // The quick preset's training section with the final training's epochs: exactly the found network's final training.
    return `${head}mode: train\npreset: quick\narchitecture:\n  start: ./${familyName(j)}.arch.json\ntraining:\n  epochs: ${finalEpochs}\n`;
  }
  let recipe = withSetting(RECIPES[j.recipe](j.dataset), 'architecture', `blockStyle: ${style}`);
  recipe = withSetting(recipe, 'search', 'gateAccuracy: validation');
  return `${head}mode: search\n${withSetting(recipe, 'search', `finalEpochs: ${finalEpochs}`)}`;
}

/** A recipe's YAML with `line` first in its top-level `section`, which is appended when missing. */
function withSetting(yaml: string, section: string, line: string): string {
  const header = `${section}:\n`;
  return yaml.includes(header) ? yaml.replace(header, `${header}  ${line}\n`) : `${yaml}${header}  ${line}\n`;
}

/**
 * Training images of a job's dataset after the test and validation splits: the built-in MNIST's
 * 10,000 digits leave 6,400; the Fashion-MNIST package's 70,000 leave 44,800, its IDX files'
 * 60,000 training images 48,000.
 */
function trainImages(dataset: Dataset): number {
  if (dataset === 'mnist') return 6_400;
  const all = fashionPath ? 48_000 : 44_800;
  return fashionLimit > 0 ? Math.min(fashionLimit, all) : all;
}

function settingsOf(j: Job): unknown {
  // Every config names the quick preset, so its settings are part of what a result depends on.
  return { version: VERSION, config: configYaml(j), preset: presetInKey(j), arch: startArchitecture(j) };
}

/**
 * The quick preset as far as it can change a job's result. `search.finalMinSteps` cannot while
 * the final epochs already take that many steps on the job's dataset (and never in `mode:
 * train`); leaving it out then keeps the results cached before the setting existed.
 */
function presetInKey(j: Job): unknown {
  const { finalMinSteps, ...search } = PRESETS.quick.search ?? {};
  const batch = PRESETS.quick.training?.batchSize ?? 128;
  const stepsOfFinalEpochs = finalEpochs * Math.ceil(trainImages(j.dataset) / batch);
  const matters = j.kind !== 'family' && finalMinSteps !== undefined && finalMinSteps > stepsOfFinalEpochs;
  return matters ? PRESETS.quick : { ...PRESETS.quick, search };
}

/** Runs the CLI under bash so that `times` can report the trainer's CPU time after it exits. */
function runJob(j: Job, dir: string): Promise<JobOutcome> {
  const name = jobName(j);
  const config = path.join(dir, `${name}.resbuilder.yaml`);
  const start = startArchitecture(j);
  if (start !== null) fs.writeFileSync(path.join(dir, j.kind === 'family' ? `${familyName(j)}.arch.json` : START_FILE), start);
  fs.writeFileSync(config, configYaml(j));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', '"$@"; code=$?; times >&3; exit $code', 'bash', process.execPath, CLI, 'run', config, '--quiet'], {
      stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
    });
    let times = '';
    child.stdio[3]!.on('data', (chunk: Buffer) => { times += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${name}: the trainer exited with code ${code}; its run folder is under ${dir}`));
      const doc = JSON.parse(fs.readFileSync(path.join(dir, `${name}.arch.json`), 'utf8')) as {
        metrics: { testAccuracy: number; params: number; flops: number; depth: number };
        provenance: { backend: string };
      };
      resolve({
        ...doc.metrics, wallSeconds: (performance.now() - started) / 1000, cpuSeconds: childCpuSeconds(times),
        backend: doc.provenance.backend, measuredAt: new Date().toISOString(),
      });
    });
  });
}

/** bash's `times`: the shell's own user/system times, then its children's ("0m12.345s 0m0.678s"). */
function childCpuSeconds(times: string): number {
  const line = times.trim().split('\n')[1] ?? '';
  const seconds = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return seconds.reduce((a, b) => a + b, 0);
}

function allJobs(): Job[] {
  const jobs: Job[] = [];
  for (const dataset of datasets) {
    for (const seed of seeds) {
      if (only !== 'search') for (const depth of depths) for (const width of widths) jobs.push({ kind: 'family', dataset, depth, width, seed });
      if (only !== 'family') for (const recipe of recipes) jobs.push({ kind: 'search', dataset, recipe, seed });
    }
  }
  return jobs;
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const pts = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}`;
const mflops = (x: number) => (x / 1e6).toFixed(1);

function aligned(rows: string[][]): string {
  const w = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return rows.map((row) => row.map((cell, c) => cell.padEnd(w[c])).join('  ')).join('\n');
}

interface FamilyMember extends CostPoint {
  name: string;
  sd: number;
  seeds: number;
  cpuSeconds: number;
}

interface RecipeSummary {
  recipe: string;
  seeds: number;
  meanAccuracy: number;
  sdAccuracy: number;
  meanFlops: number;
  /** Mean ± SD over seeds of (accuracy − the front's at the network's FLOPs); null where below the family's range. */
  meanMargin: number | null;
  sdMargin: number | null;
  marginsBelowRange: number;
  meanCpuSeconds: number;
}

interface DatasetReport {
  dataset: Dataset;
  family: FamilyMember[];
  front: CostPoint[];
  searches: (SearchJob & JobOutcome & { margin: number | null })[];
  recipes: RecipeSummary[];
  /** CPU seconds to train every family member once (one seed). */
  familyCpuSecondsPerSeed: number;
  /** Where the family's results come from: this cache, or the record in the repository (not retrained). */
  familySource: 'cache' | 'record';
}

const memberName = (depth: number, width: number) => `ResNet-${depth} ×${width}`;

function familyFromRuns(runs: (FamilyJob & JobOutcome)[]): FamilyMember[] {
  const family: FamilyMember[] = [];
  for (const depth of depths) {
    for (const width of widths) {
      const member = runs.filter((r) => r.depth === depth && r.width === width);
      if (member.length === 0) continue;
      family.push({
        name: memberName(depth, width), flops: member[0].flops, accuracy: mean(member.map((r) => r.testAccuracy)),
        sd: sampleSd(member.map((r) => r.testAccuracy)), seeds: member.length, cpuSeconds: mean(member.map((r) => r.cpuSeconds)),
      });
    }
  }
  return family;
}

function familyFromRecord(recorded: DatasetFamily): FamilyMember[] {
  return recorded.members
    .filter((m) => depths.includes(m.depth) && widths.includes(m.width))
    .map((m) => ({ name: memberName(m.depth, m.width), flops: m.flops, accuracy: m.accuracy, sd: m.sd, seeds: m.seeds, cpuSeconds: m.cpuSeconds }));
}

function datasetReport(dataset: Dataset, results: JobResult[], record: FamilyRecord | null): DatasetReport {
  const cached = familyFromRuns(results.filter((r): r is FamilyJob & JobOutcome => r.kind === 'family' && r.dataset === dataset));
  const recorded = cached.length === 0 ? recordedFamily(record, dataset, { finalEpochs, style }) : null;
  const family = recorded === null ? cached : familyFromRecord(recorded);
  const familySource = recorded === null ? 'cache' : 'record';
  const front = paretoFront(family);
  const searches = results
    .filter((r): r is SearchJob & JobOutcome => r.kind === 'search' && r.dataset === dataset)
    .map((r) => ({ ...r, margin: marginOverFront(front, { flops: r.flops, accuracy: r.testAccuracy }) }));
  const summaries: RecipeSummary[] = recipes.flatMap((recipe) => {
    const runs = searches.filter((s) => s.recipe === recipe);
    if (runs.length === 0) return [];
    const margins = runs.flatMap((r) => (r.margin === null ? [] : [r.margin]));
    return [{
      recipe, seeds: runs.length, meanAccuracy: mean(runs.map((r) => r.testAccuracy)), sdAccuracy: sampleSd(runs.map((r) => r.testAccuracy)),
      meanFlops: mean(runs.map((r) => r.flops)), meanMargin: margins.length > 0 ? mean(margins) : null,
      sdMargin: margins.length > 0 ? sampleSd(margins) : null, marginsBelowRange: runs.length - margins.length,
      meanCpuSeconds: mean(runs.map((r) => r.cpuSeconds)),
    }];
  });
  return { dataset, family, front, searches, recipes: summaries, familyCpuSecondsPerSeed: family.reduce((a, m) => a + m.cpuSeconds, 0), familySource };
}

function reportText(r: DatasetReport): string {
  const onFront = (m: CostPoint) => r.front.some((f) => f.flops === m.flops && f.accuracy === m.accuracy);
  const familyRows = [['fixed network', 'MFLOPs', 'test acc (mean)', 'sd', 'seeds', 'on front', 'CPU s']];
  for (const m of r.family) familyRows.push([m.name, mflops(m.flops), pct(m.accuracy), pct(m.sd), String(m.seeds), onFront(m) ? 'yes' : '', m.cpuSeconds.toFixed(0)]);
  const searchRows = [['search', 'seed', 'MFLOPs', 'depth', 'test acc', 'margin over front (pts)', 'CPU s']];
  for (const s of r.searches) {
    searchRows.push([s.recipe, String(s.seed), mflops(s.flops), String(s.depth), pct(s.testAccuracy), s.margin === null ? 'below the family' : pts(s.margin), s.cpuSeconds.toFixed(0)]);
  }
  const summaryRows = [['search', 'seeds', 'mean test acc', 'mean MFLOPs', 'margin (pts, mean ± sd)', 'CPU s (mean)', 'vs the family (one seed)']];
  for (const s of r.recipes) {
    summaryRows.push([
      s.recipe, String(s.seeds), `${pct(s.meanAccuracy)} ± ${(s.sdAccuracy * 100).toFixed(2)}`, mflops(s.meanFlops),
      s.meanMargin === null ? 'below the family' : `${pts(s.meanMargin)} ± ${(s.sdMargin! * 100).toFixed(2)}${s.marginsBelowRange > 0 ? ` (${s.marginsBelowRange} below)` : ''}`,
      s.meanCpuSeconds.toFixed(0), r.familyCpuSecondsPerSeed > 0 ? `${(s.meanCpuSeconds / r.familyCpuSecondsPerSeed).toFixed(2)}×` : '',
    ]);
  }
  const source = r.familySource === 'record'
    ? `The family is not in the cache: its results come from ${path.relative(ROOT, FAMILY_RECORD)} (not retrained here).`
    : '';
  return [`## ${r.dataset}`, ...(source ? [source] : []), aligned(familyRows), '', aligned(searchRows), '', aligned(summaryRows)].join('\n');
}

async function drawReport(r: DatasetReport, outDirs: string[]): Promise<string[]> {
  const familySeries = 'fixed ResNet (mean over seeds)';
  const seriesDomain = [familySeries, ...recipes.map((recipe) => `search: ${recipe}`)];
  const points = [
    ...r.family.map((m) => ({ series: familySeries, name: m.name, mflops: m.flops / 1e6, accuracy: m.accuracy * 100 })),
    ...r.searches.map((s) => ({ series: `search: ${s.recipe}`, name: `seed ${s.seed}`, mflops: s.flops / 1e6, accuracy: s.testAccuracy * 100 })),
  ];
  const frontLine = r.front.map((p) => ({ mflops: p.flops / 1e6, accuracy: p.accuracy * 100 }));
  // A log axis left to itself rounds out to whole decades (1 to 1,000 for 5 to 130 MFLOPs) and
  // squeezes the points into the middle third.
  const mflopsRange = points.map((p) => p.mflops);
  const xDomain = [Math.min(...mflopsRange) / 1.25, Math.max(...mflopsRange) * 1.25];
  const spec = {
    title: {
      text: `${r.dataset}: found networks against fixed ResNets (${finalEpochs} final epoch${finalEpochs === 1 ? '' : 's'} each)`,
      subtitle: "dashed: the family's front, the members no cheaper member beats",
    },
    width: 520,
    height: 340,
    background: 'white',
    layer: [
      {
        data: { values: frontLine },
        mark: { type: 'line', color: '#888', strokeDash: [4, 3] },
        encoding: {
          x: { field: 'mflops', type: 'quantitative', scale: { type: 'log', domain: xDomain, nice: false }, title: 'MFLOPs (log scale)' },
          y: { field: 'accuracy', type: 'quantitative', scale: { zero: false }, title: 'test accuracy (%)' },
        },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          x: { field: 'mflops', type: 'quantitative' },
          y: { field: 'accuracy', type: 'quantitative' },
          // One domain for every dataset's picture, so a search keeps its colour and shape across them.
          color: { field: 'series', type: 'nominal', title: null, scale: { domain: seriesDomain }, legend: { labelLimit: 320 } },
          shape: { field: 'series', type: 'nominal', title: null, scale: { domain: seriesDomain } },
          tooltip: [{ field: 'name' }, { field: 'mflops' }, { field: 'accuracy' }],
        },
      },
    ],
  };
  const files: string[] = [];
  const svg = await renderVegaLiteSvg(spec);
  const png = await svgToPng(svg);
  for (const dir of outDirs) {
    const base = path.join(dir, `search-vs-family-${r.dataset}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(`${base}.svg`, svg);
    fs.writeFileSync(`${base}.png`, png);
    files.push(`${base}.svg`, `${base}.png`);
  }
  return files;
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error('dist/trainer.js is missing: run `npm run build` first.');
  const cache = new JobCache<JobOutcome>(cacheDir(), 'search');
  const jobs = allJobs();
  const pending = jobs.filter((j) => cache.get(jobKey(settingsOf(j))) === undefined);
  process.stdout.write(`${jobs.length} jobs: ${jobs.length - pending.length} cached in ${cacheDir()}, ${pending.length} to run.\n`);
  if (process.env.BENCH_DRY_RUN === '1') {
    for (const j of pending) process.stdout.write(`  to run: ${jobName(j)}\n`);
    return;
  }
  const reportOnly = process.env.BENCH_REPORT_ONLY === '1';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-bench-search-'));
  let done = 0;
  for (const j of reportOnly ? [] : pending) {
    done += 1;
    process.stdout.write(`\n### ${done}/${pending.length}: ${jobName(j)} (${pending.length - done} left after this one)\n`);
    cache.put(jobKey(settingsOf(j)), await runJob(j, dir));
  }
  const results: JobResult[] = jobs.flatMap((j) => {
    const outcome = cache.get(jobKey(settingsOf(j)));
    return outcome ? [{ ...j, ...outcome }] : [];
  });
  if (results.length < jobs.length) process.stdout.write(`\nA partial report: ${jobs.length - results.length} of ${jobs.length} jobs have not run yet.\n`);
  const out = path.join(ROOT, 'bench-results');
  fs.mkdirSync(out, { recursive: true });
  const outDirs = process.env.BENCH_DOCS === '1' ? [out, path.join(ROOT, 'docs/images')] : [out];
  const record = readFamilyRecord(FAMILY_RECORD);
  const reports = datasets.map((d) => datasetReport(d, results, record));
  if (process.env.BENCH_DOCS === '1') recordFamilies(reports, results, record);
  const pictures: string[] = [];
  for (const r of reports) {
    process.stdout.write(`\n${reportText(r)}\n`);
    if (r.family.length > 0) pictures.push(...(await drawReport(r, outDirs)));
  }
  const file = path.join(out, 'search.json');
  fs.writeFileSync(file, JSON.stringify({
    date: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: os.cpus().length, style, finalEpochs, seeds, depths, widths, recipes,
    backend, results, reports,
  }, null, 2));
  process.stdout.write(`\nwritten to ${file}${pictures.length > 0 ? `\npictures: ${pictures.join(', ')}` : ''}\n`);
}

/** Writes every dataset whose whole family the cache holds into the repository's record, keeping the other datasets' entries. */
function recordFamilies(reports: DatasetReport[], results: JobResult[], record: FamilyRecord | null): void {
  const complete = reports.filter((r) => r.familySource === 'cache' && r.family.length === depths.length * widths.length);
  if (complete.length === 0) return;
  const kept = record !== null && record.settings.finalEpochs === finalEpochs && record.settings.style === style ? record.datasets : {};
  const datasetsRecorded: FamilyRecord['datasets'] = { ...kept };
  for (const r of complete) {
    const runs = results.filter((x): x is FamilyJob & JobOutcome => x.kind === 'family' && x.dataset === r.dataset);
    const dates = runs.map((x) => x.measuredAt.slice(0, 10)).sort();
    datasetsRecorded[r.dataset] = {
      seeds: [...new Set(runs.map((x) => x.seed))].sort((a, b) => a - b),
      measured: dates[0] === dates[dates.length - 1] ? dates[0] : `${dates[0]} to ${dates[dates.length - 1]}`,
      members: depths.flatMap((depth) => widths.map((width) => {
        const m = r.family.find((f) => f.name === memberName(depth, width))!;
        return { depth, width, flops: m.flops, accuracy: m.accuracy, sd: m.sd, seeds: m.seeds, cpuSeconds: m.cpuSeconds };
      })),
    };
  }
  fs.mkdirSync(path.dirname(FAMILY_RECORD), { recursive: true });
  writeFamilyRecord(FAMILY_RECORD, {
    about: 'The fixed family of npm run bench:search, written by BENCH_DOCS=1 from the cache (bench/lib/family-record.ts).',
    settings: { finalEpochs, style, version: VERSION },
    datasets: datasetsRecorded,
  });
  process.stdout.write(`family results recorded in ${path.relative(ROOT, FAMILY_RECORD)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:search: ${(error as Error).message}\n`);
  process.exit(1);
});
