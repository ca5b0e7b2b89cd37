/**
 * `resbuilder submit`: from a config (and its `sweep:` section, and the command line's
 * overrides) to a sweep folder and one submitted job array. Everything is checked and written
 * before sbatch runs; when sbatch refuses, the folder goes again, so nothing is left
 * half-submitted (docs/cluster.md, "Submitting a sweep").
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYamlValue, parseDocument } from 'yaml';
import { ConfigError } from '../../core/config/diagnostics';
import { loadConfigFile } from '../../core/config/load';
import { SweepInputSchema, type SweepInput } from '../../core/config/sweep-schema';
import { sweepKeyProblem, sweepValueProblems } from '../../core/config/sweep-checks';
import { expandSweep, parseSeedList, sweepIdStem, taskRunId, type SweepSpec, type SweepValue } from '../../core/sweep/expand';
import { SWEEP_CONFIG_FILE, SWEEP_SCRIPT_FILE, type SweepManifest } from '../../core/sweep/manifest';
import { checkSbatchOptions, sbatchScript, SWEEP_LOG_DIR } from '../../core/sweep/sbatch';
import { parseJobId, slurm } from './slurm';
import { writeManifest } from './sweep-folder';

export class SubmitError extends Error {}

export interface SubmitRequest {
  configFile: string;
  seeds?: string;
  /** `key=v1,v2` each. */
  set?: string[];
  partition?: string;
  time?: string;
  cpus?: string;
  gpus?: string;
  dryRun?: boolean;
  /** The Node and CLI script the tasks run; default: this process's own. */
  nodePath?: string;
  cliPath?: string;
}

export interface SubmitResult {
  sweepId: string;
  sweepDir: string;
  jobId: string | null;
  script: string;
  manifest: SweepManifest;
}

/** At most this many tasks in one array (Slurm's default MaxArraySize is 1001). */
const MAX_TASKS = 1000;
const DEFAULT_GRACE_SECONDS = 120;

function parseSet(option: string): [string, SweepValue[]] {
  const eq = option.indexOf('=');
  if (eq <= 0) throw new SubmitError(`--set ${option}: expected key=value[,value…], e.g. --set search.targetFlops=1e7,2e7`);
  const key = option.slice(0, eq).trim();
  const keyProblem = sweepKeyProblem(key);
  if (keyProblem) throw new SubmitError(`--set ${key}: ${keyProblem.message}${keyProblem.suggestion ? ` (did you mean "${keyProblem.suggestion}"?)` : ''}`);
  const values = option.slice(eq + 1).split(',').map((text) => {
    // YAML's reading of a scalar, as if the value were written in the config: 1e7, true, null, adam.
    const value: unknown = text.trim() === '' ? '' : parseYamlValue(text);
    const problems = sweepValueProblems(key, value);
    if (problems.length > 0) throw new SubmitError(`--set ${key}: ${problems[0].message}`);
    return value as SweepValue;
  });
  return [key, values];
}

function integerOption(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min) throw new SubmitError(`--${name}: expected an integer >= ${min}, got "${text}"`);
  return Number(text);
}

function nextSweepDir(sweepsDir: string, stem: string): { id: string; dir: string } {
  for (let n = 1; n < 100_000; n += 1) {
    const id = `${stem}-${String(n).padStart(3, '0')}`;
    const dir = path.join(sweepsDir, id);
    if (!fs.existsSync(dir)) return { id, dir };
  }
  throw new SubmitError(`${sweepsDir}: no free sweep name left for ${stem}`);
}

function describeFsError(error: unknown, what: string): SubmitError {
  const e = error as NodeJS.ErrnoException;
  const why = e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code === 'EROFS' ? 'the file system is read-only' : e.message;
  return new SubmitError(`cannot create ${what}: ${why}. Point outputs.runsDir in the config at a folder you can write (sweeps go beside it, in sweeps/), on the file system the cluster's nodes share.`);
}

export async function submitSweep(request: SubmitRequest): Promise<SubmitResult> {
  const configFile = path.resolve(request.configFile);
  if (!fs.existsSync(configFile)) throw new SubmitError(`${request.configFile}: no such config file.`);
  const config = await loadConfigFile(configFile, { onWarning: (w) => process.stderr.write(`${w}\n`) });
  const text = fs.readFileSync(configFile, 'utf8');
  // Already validated with the rest of the config (file:line:col errors come from loadConfigFile).
  const raw = (parseDocument(text).toJS() ?? {}) as { sweep?: unknown };
  const sweepInput: SweepInput = raw.sweep === undefined ? {} : SweepInputSchema.parse(raw.sweep);

  const grid = new Map<string, SweepValue[]>(Object.entries(sweepInput.grid ?? {}) as [string, SweepValue[]][]);
  for (const option of request.set ?? []) {
    const [key, values] = parseSet(option);
    grid.set(key, values);
  }
  let seeds = sweepInput.seeds ?? [config.seed];
  if (request.seeds !== undefined) {
    try {
      seeds = parseSeedList(request.seeds);
    } catch (error) {
      throw new SubmitError((error as Error).message);
    }
  }
  if (new Set(seeds).size !== seeds.length) throw new SubmitError('--seeds: a seed is listed twice');
  const spec: SweepSpec = { seeds, grid: [...grid.entries()] };
  const tasks = expandSweep(spec);
  if (tasks.length > MAX_TASKS) throw new SubmitError(`the sweep has ${tasks.length} tasks; one job array takes at most ${MAX_TASKS}. Split the grid over several configs.`);

  const slurmInput = sweepInput.slurm ?? {};
  const options = {
    partition: request.partition ?? slurmInput.partition ?? null,
    time: request.time ?? slurmInput.time ?? null,
    cpus: integerOption('cpus', request.cpus, 1) ?? slurmInput.cpus ?? 1,
    gpus: integerOption('gpus', request.gpus, 0) ?? slurmInput.gpus ?? 0,
    graceSeconds: slurmInput.graceSeconds ?? DEFAULT_GRACE_SECONDS,
  };
  const sweepsDir = path.join(path.dirname(config.outputs.runsDir), 'sweeps');
  const { id: sweepId, dir: sweepDir } = nextSweepDir(sweepsDir, sweepIdStem(config.name));
  try {
    checkSbatchOptions({ ...options, sweepId, taskCount: tasks.length });
  } catch (error) {
    throw new SubmitError(`--${(error as Error).message}`);
  }

  const manifest: SweepManifest = {
    version: 1,
    sweepId,
    configPath: config.configPath,
    createdAt: new Date().toISOString(),
    tasks: tasks.map((t) => ({ index: t.index, seed: t.seed, settings: t.settings, runId: taskRunId(sweepId, t.index) })),
    slurm: { jobId: null, ...options },
  };
  const script = sbatchScript({
    sweepId, sweepDir, taskCount: tasks.length, ...options,
    nodePath: request.nodePath ?? process.execPath,
    cliPath: request.cliPath ?? fs.realpathSync(process.argv[1]),
  });
  if (request.dryRun) return { sweepId, sweepDir, jobId: null, script, manifest };

  try {
    fs.mkdirSync(sweepsDir, { recursive: true });
    fs.mkdirSync(sweepDir);
  } catch (error) {
    throw describeFsError(error, `the sweep folder ${sweepDir}`);
  }
  try {
    // Slurm does not create a missing --output folder: the logs folder exists before sbatch runs.
    fs.mkdirSync(path.join(sweepDir, SWEEP_LOG_DIR));
    fs.mkdirSync(path.join(sweepDir, 'runs'));
    fs.writeFileSync(path.join(sweepDir, SWEEP_CONFIG_FILE), text);
    fs.writeFileSync(path.join(sweepDir, SWEEP_SCRIPT_FILE), script, { mode: 0o755 });
    writeManifest(sweepDir, manifest);
    const { stdout } = await slurm('sbatch', ['--parsable', SWEEP_SCRIPT_FILE], { cwd: sweepDir });
    manifest.slurm.jobId = parseJobId(stdout);
    writeManifest(sweepDir, manifest);
  } catch (error) {
    // Once sbatch has answered, the job runs from this folder: it stays.
    if (manifest.slurm.jobId !== null) throw new SubmitError(`job ${manifest.slurm.jobId} was submitted, but ${sweepDir}/sweep.json could not record it: ${(error as Error).message}`);
    fs.rmSync(sweepDir, { recursive: true, force: true });
    if (error instanceof ConfigError || error instanceof SubmitError) throw error;
    throw new SubmitError(`nothing was submitted: ${(error as Error).message}`);
  }
  return { sweepId, sweepDir, jobId: manifest.slurm.jobId, script, manifest };
}
