/** The command line's Slurm sweep commands: submit, status, cancel, report, and run-task (what each array task runs). */
import type { ParseArgsConfig } from 'node:util';
import * as path from 'node:path';
import type { RunOptions } from '../session/start';
import { runTask } from '../sweep/run-task';
import { cancelSweep, progressOf, statusText, sweepStatus } from '../sweep/status';
import { sweepReport } from '../sweep/report';
import { submitSweep, SubmitError } from '../sweep/submit';
import { SlurmError } from '../sweep/slurm';

export const SWEEP_OPTIONS = {
  seeds: { type: 'string' },
  set: { type: 'string', multiple: true },
  partition: { type: 'string' },
  time: { type: 'string' },
  cpus: { type: 'string' },
  gpus: { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

export const SWEEP_HELP: Record<string, string> = {
  submit: `resbuilder submit <config.resbuilder.yaml> [options]

Submits the config as one Slurm job array: one task per seed and per combination of the values
of the config's \`sweep:\` section (and --set). Writes the sweep folder
(.resbuilder/sweeps/<sweep id>/: sweep.sbatch, sweep.json, logs/, runs/) and returns at once.
A task that is pre-empted or requeued resumes from its checkpoint in its run folder.

Options:
  --seeds 1,2,3           the seeds (default: sweep.seeds, else the config's seed)
  --set key=v1,v2         values of one setting to try, e.g. --set search.targetFlops=1e7,2e7 (repeatable)
  --partition <name>      Slurm partition (default: sweep.slurm.partition, else the cluster's default)
  --time <HH:MM:SS>       time limit of each task
  --cpus <n>              CPU cores per task (default 1)
  --gpus <n>              GPUs per task (default 0)
  --dry-run               print the sbatch script; write and submit nothing
  --json                  print the sweep's manifest as JSON`,
  status: `resbuilder status <sweep-folder>… [--json]

Each task's state (pending with its reason, running, requeued, completed, failed, cancelled,
stopped) from its run folder, with one squeue call for all the sweeps named.`,
  cancel: `resbuilder cancel <sweep-folder | task run folder>

Cancels the sweep's unfinished tasks, or one task (scancel). A task that wrote a checkpoint
continues with \`resbuilder resume <its run folder>\`.`,
  report: `resbuilder report <sweep-folder> [--json]

A row per task (seed, settings, state, depth, parameters, FLOPs, test accuracy), mean ± SD per
setting, and report.md, report.svg, report.png (test accuracy against FLOPs) in the sweep folder.`,
  'run-task': `resbuilder run-task <sweep-folder> <index> [--quiet]

What one array task of a sweep runs (the sbatch script calls it): starts the task in its run
folder, resumes it from its checkpoint there, or does nothing when it has finished.`,
};

type Values = { [K in keyof typeof SWEEP_OPTIONS]?: (typeof SWEEP_OPTIONS)[K] extends { multiple: true } ? string[] : (typeof SWEEP_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

const rel = (p: string) => path.relative(process.cwd(), p) || '.';

/** Runs one sweep command; returns the exit code. Usage and Slurm errors print their message alone. */
export async function sweepCommand(command: string, positionals: string[], values: Values & { quiet?: boolean; ipc?: boolean }, runOptions: () => RunOptions): Promise<number> {
  const [target, ...rest] = positionals;
  const expected = command === 'run-task' ? 2 : 1;
  if (command === 'status' ? positionals.length === 0 : positionals.length !== expected) {
    process.stderr.write(`${command}: expected ${expected === 2 ? '<sweep-folder> <index>' : 'one argument'}, got ${positionals.length}.\n\n${SWEEP_HELP[command]}\n`);
    return 2;
  }
  try {
    switch (command) {
      case 'submit': {
        const result = await submitSweep({
          configFile: target, seeds: values.seeds, set: values.set, partition: values.partition,
          time: values.time, cpus: values.cpus, gpus: values.gpus, dryRun: values['dry-run'],
        });
        if (values['dry-run']) {
          process.stdout.write(values.json ? `${JSON.stringify({ ...result.manifest, script: result.script }, null, 2)}\n` : result.script);
          return 0;
        }
        if (values.json) {
          process.stdout.write(`${JSON.stringify({ sweepDir: result.sweepDir, ...result.manifest }, null, 2)}\n`);
          return 0;
        }
        const lines = result.manifest.tasks.map((t) => `  task ${t.index}: seed ${t.seed}${Object.keys(t.settings).length ? `, ${Object.entries(t.settings).map(([k, v]) => `${k}=${String(v)}`).join(', ')}` : ''} → ${rel(path.join(result.sweepDir, 'runs', t.runId))}`);
        process.stdout.write(`submitted sweep ${result.sweepId} as job ${result.jobId} (${lines.length} task${lines.length === 1 ? '' : 's'})\n${lines.join('\n')}\n` +
          `follow with: resbuilder status ${rel(result.sweepDir)}\n`);
        return 0;
      }
      case 'status': {
        const all = await sweepStatus(positionals);
        const json = all.map(({ sweep, rows, note }) => ({
          sweepId: sweep.manifest.sweepId, sweepDir: sweep.dir, configPath: sweep.manifest.configPath, jobId: sweep.manifest.slurm.jobId, note,
          tasks: rows.map(({ events, ...r }) => ({ ...r, progress: progressOf(events) })),
        }));
        if (values.json) process.stdout.write(`${JSON.stringify(positionals.length === 1 ? json[0] : json, null, 2)}\n`);
        else process.stdout.write(`${all.map(({ sweep, rows, note }) => statusText(sweep, rows, note)).join('\n\n')}\n`);
        return 0;
      }
      case 'cancel':
        process.stdout.write(`${await cancelSweep(target)}\n`);
        return 0;
      case 'report': {
        const report = await sweepReport(target);
        if (values.json) process.stdout.write(`${JSON.stringify({ sweepId: report.sweepId, rows: report.rows, files: report.files }, null, 2)}\n`);
        else process.stdout.write(`${report.text}\nwritten: ${[report.files.markdown, report.files.svg, report.files.png].filter((f) => f !== null).map((f) => rel(f)).join(', ')}\n`);
        return 0;
      }
      case 'run-task': {
        const outcome = await runTask(target, rest[0], runOptions());
        // The task's Slurm log is where a user looks first: say where the whole story is.
        if (outcome.kind === 'failed') process.stderr.write(`task ${rest[0]} failed; details: ${path.join(outcome.runDir, 'trainer.log')} and events.jsonl\n`);
        if (outcome.kind === 'stopped') process.stderr.write(`task ${rest[0]} stopped with a checkpoint; a requeue or \`resbuilder resume ${outcome.runDir}\` continues it\n`);
        return outcome.exitCode;
      }
      default:
        return 2;
    }
  } catch (error) {
    if (error instanceof SubmitError || error instanceof SlurmError) {
      process.stderr.write(`${command}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
