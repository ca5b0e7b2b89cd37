/**
 * Runs bench/pytorch_bench.py on the same architectures, so TF.js figures can be read as ratios
 * against PyTorch measured in the same run on the same (shared, noisy) machine.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ReplyChannel } from './reply-channel';
import type { BenchModel } from './models';
import { pytorchSpec } from './models';
import type { BenchOptions } from './options';
import type { PytorchOutcome } from './types';

const SCRIPT = path.join('bench', 'pytorch_bench.py');
const INSTALL_HINT = "install Debian's PyTorch: apt-get install python3-torch (it goes to /usr/bin/python3), or set BENCH_PYTHON to a Python that has torch";

/** bench/pytorch_bench.py, found upwards from this file (source or dist/bench bundle) or the working folder. */
export function pytorchScript(): string {
  const starts = [typeof __dirname === 'string' ? __dirname : process.cwd(), process.cwd()];
  for (const start of starts) {
    let dir = start;
    for (let depth = 0; depth < 6; depth++) {
      const candidate = path.join(dir, SCRIPT);
      if (fs.existsSync(candidate)) return candidate;
      dir = path.dirname(dir);
    }
  }
  throw new Error(`Cannot find ${SCRIPT} above ${starts[0]}; run the benchmark from the ResBuilder Studio folder.`);
}

function torchVersion(python: string): string | null {
  const result = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
  return result.status === 0 ? result.stdout.trim() : null;
}

/** The Python to use, or why there is none. The machine's `python3` may be a pyenv build without Debian's packages, so /usr/bin/python3 goes first. */
export function findPython(choice: string | null): { python: string } | { reason: string } {
  if (choice === null) return { reason: 'skipped (BENCH_PYTHON=none)' };
  const candidates = choice === 'auto' ? ['/usr/bin/python3', 'python3'] : [choice];
  for (const python of candidates) {
    if (torchVersion(python) !== null) return { python };
  }
  return { reason: `torch is not importable from ${candidates.join(' or ')}; ${INSTALL_HINT}` };
}

export interface PytorchPlan {
  models: BenchModel[];
  options: BenchOptions;
  threads: number;
  adam: { learningRate: number; beta1: number; beta2: number; epsilon: number };
}

export async function runPytorch(plan: PytorchPlan): Promise<PytorchOutcome> {
  const found = findPython(plan.options.python);
  if ('reason' in found) return { engine: 'pytorch', ok: false, reason: found.reason };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-bench-'));
  const specFile = path.join(dir, 'spec.json');
  try {
    const { options } = plan;
    fs.writeFileSync(specFile, JSON.stringify({
      threads: plan.threads,
      adam: plan.adam,
      plan: {
        seconds: options.seconds,
        steps: options.steps,
        warmupSteps: options.warmupSteps,
        batchSize: options.batchSize,
        seed: options.seed,
        // Long enough for a few steps of each layout, short next to the timed runs.
        trialSeconds: Math.min(3, Math.max(1, options.seconds / 4)),
      },
      models: plan.models.map(pytorchSpec),
    }));
    const { code, stdout, stderr } = await run(found.python, [pytorchScript(), specFile]);
    const last = stdout.trim().split('\n').at(-1) ?? '';
    if (code !== 0 || !last.startsWith('{')) {
      const why = stderr.trim().split('\n').filter((l) => l.trim() !== '').at(-1) ?? `exit code ${code}`;
      return { engine: 'pytorch', ok: false, reason: `${found.python} ${SCRIPT} failed: ${why}` };
    }
    return JSON.parse(last) as PytorchOutcome;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < 65536) stderr += chunk;
    });
    child.on('error', (error) => resolve({ code: null, stdout, stderr: `${stderr}\n${error.message}` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface PytorchSetup {
  torchVersion: string;
  threads: number;
  mkldnn: boolean;
}

/**
 * One Python process for the whole of bench:engine, answering one JSON line per request line
 * (bench/pytorch_bench.py --serve), so interpreter start-up and model builds stay out of the rounds.
 */
type ServerAnswer = ({ ok: true } & Record<string, unknown>) | { ok: false; reason: string };

function parseAnswer(line: string): ServerAnswer {
  try {
    return JSON.parse(line) as ServerAnswer;
  } catch {
    return { ok: false, reason: `${SCRIPT} answered with a line that is not JSON: ${line.slice(0, 200)}` };
  }
}

export class PytorchServer {
  private buffer = '';
  private stderr = '';
  private readonly replies = new ReplyChannel<ServerAnswer>('PyTorch server', (reason) => ({ ok: false, reason }));

  private constructor(private readonly child: ChildProcessWithoutNullStreams, readonly python: string) {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffer += chunk;
      for (let at = this.buffer.indexOf('\n'); at >= 0; at = this.buffer.indexOf('\n')) {
        const line = this.buffer.slice(0, at);
        this.buffer = this.buffer.slice(at + 1);
        this.replies.deliver(parseAnswer(line));
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (this.stderr.length < 65536) this.stderr += chunk;
    });
    const end = (why: string): void => this.replies.end(why);
    child.on('error', (error) => end(`${python} ${SCRIPT} could not start: ${error.message}`));
    child.on('close', (code) => end(`${python} ${SCRIPT} ended (exit code ${code}): ${this.stderr.trim().split('\n').at(-1) ?? ''}`));
  }

  /** Starts the server and sends the setup, or says why PyTorch is not measured. */
  static async start(plan: PytorchPlan): Promise<{ server: PytorchServer; setup: PytorchSetup } | { reason: string }> {
    const found = findPython(plan.options.python);
    if ('reason' in found) return found;
    const server = new PytorchServer(spawn(found.python, [pytorchScript(), '--serve'], { stdio: 'pipe' }), found.python);
    const { options } = plan;
    const answer = await server.request({
      op: 'setup', threads: plan.threads, adam: plan.adam, seed: options.seed, batchSize: options.batchSize,
      warmupSteps: options.warmupSteps, models: plan.models.map(pytorchSpec),
    });
    if (!answer.ok) {
      server.kill();
      return { reason: answer.reason };
    }
    return { server, setup: answer as unknown as PytorchSetup };
  }

  request(request: Record<string, unknown>): Promise<ServerAnswer> {
    return this.replies.ask(() => this.child.stdin.write(`${JSON.stringify(request)}\n`));
  }

  kill(): void {
    if (this.replies.open) this.child.kill();
  }
}
