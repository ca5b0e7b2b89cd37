/**
 * The `resbuilder` command line and the trainer process's entry point (the VS Code extension
 * forks this same bundle with `--ipc`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ArchitectureFileError, parseArchitectureDocument } from '../../core/arch/json';
import { inspectTable } from '../../core/arch/inspect';
import { ConfigError } from '../../core/config/diagnostics';
import { BackendNameSchema, type TrainerEvent } from '../../protocol/events';
import { maybeRunProbe } from '../backends';
import { maybeRunTrainingWorker } from '../parallel/worker-mode';
import { resumeRun, startRun, type RunOutcome } from '../session/start';
import { version as studioVersion } from '../../../package.json';
import { failureReport, unexpectedErrorReport, type FailedEvent } from './failure';
import { ConsoleProgress } from './progress';

const HELP: Record<string, string> = {
  main: `resbuilder — ResBuilder neural architecture search on TensorFlow.js

Usage:
  resbuilder run <config.resbuilder.yaml> [--backend <name>]   run the search (or training) a config describes
  resbuilder resume <run-folder>                                continue a stopped or crashed run from its last checkpoint
  resbuilder inspect <file.arch.json>                           print an architecture's stages, blocks, widths, parameters, FLOPs
  resbuilder <command> --help                                   help for one command

Runs are stored in .resbuilder/runs/<run-id>/ next to the config (events.jsonl, checkpoint, model).
The found architecture is written to <config name>.arch.json next to the config.`,
  run: `resbuilder run <config.resbuilder.yaml> [options]

Runs the ResBuilder search described by the config (mode: search), or trains the configured
start architecture (mode: train). Progress goes to the console; Ctrl+C stops after the current
batch and leaves the run resumable with \`resbuilder resume <run-folder>\`.

Options:
  --backend <auto|tensorflow-gpu|tensorflow|native|wasm|cpu>   override the config's backend
  --ipc        send events to the parent process (used by the VS Code extension)
  --quiet      no console progress (events are still written to events.jsonl)`,
  resume: `resbuilder resume <run-folder> [options]

Continues a run from its last checkpoint (written after every epoch), with the config copy in
the run folder. The run makes the same decisions it would have made without the interruption.

Options:
  --backend <name>   override the backend (use the same one for identical results)
  --ipc, --quiet     as for run`,
  inspect: `resbuilder inspect <file.arch.json>

Prints the architecture's stages, blocks and layers with kernel, stride, width, output shape,
parameters and FLOPs (MorphNet's convention: 2·H·W·k²·Cin·Cout per conv, 2·in·out per dense).`,
};

class UsageError extends Error {}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
      ipc: { type: 'boolean' },
      quiet: { type: 'boolean' },
      backend: { type: 'string' },
    },
  });
}

function backendOption(value: string | undefined) {
  if (value === undefined) return undefined;
  if (value === 'auto') return 'auto' as const;
  const parsed = BackendNameSchema.safeParse(value);
  if (!parsed.success) throw new UsageError(`--backend: "${value}" is not a backend; use one of auto, ${BackendNameSchema.options.join(', ')}.`);
  return parsed.data;
}

async function runCommand(command: 'run' | 'resume', target: string, values: ReturnType<typeof parse>['values']): Promise<number> {
  const progress = values.quiet || values.ipc ? undefined : new ConsoleProgress();
  let failure: FailedEvent | undefined;
  // A failure is printed on stderr in every mode (failure.ts); the console progress only ends its bar.
  const onEvent = (event: TrainerEvent) => {
    if (event.type === 'failed') failure = event;
    progress?.onEvent(event);
  };
  const options = { ipc: Boolean(values.ipc), backend: backendOption(values.backend), onEvent };
  let outcome: RunOutcome;
  if (command === 'run') {
    if (!fs.existsSync(target)) throw new UsageError(`${target}: no such config file. Check the path, or create one with the ResBuilder: New Experiment Config command.`);
    outcome = await startRun(target, options);
  } else {
    outcome = await resumeRun(target, options);
  }
  const runFolder = path.relative(process.cwd(), outcome.runDir) || '.';
  if (outcome.kind === 'stopped' && !values.ipc) {
    process.stdout.write(`resume with: resbuilder resume ${runFolder}\n`);
  }
  if (outcome.kind === 'failed') process.stderr.write(failureReport(failure, outcome.runDir, runFolder));
  return outcome.exitCode;
}

function inspectCommand(file: string): number {
  if (!fs.existsSync(file)) throw new UsageError(`${file}: no such file.`);
  const arch = parseArchitectureDocument(fs.readFileSync(file, 'utf8'), file);
  process.stdout.write(inspectTable(arch) + '\n');
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP.main}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, target, ...rest] = positionals;
  if (values.version) {
    process.stdout.write(`${studioVersion}\n`);
    return 0;
  }
  if (!command || (values.help && !HELP[command])) {
    process.stdout.write(`${HELP.main}\n`);
    return command ? 0 : values.help ? 0 : 2;
  }
  if (!HELP[command] || command === 'main') {
    process.stderr.write(`Unknown command "${command}".\n\n${HELP.main}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${HELP[command]}\n`);
    return 0;
  }
  try {
    if (!target) throw new UsageError(`${command}: missing argument.\n\n${HELP[command]}`);
    if (rest.length > 0) throw new UsageError(`${command}: unexpected arguments: ${rest.join(' ')}`);
    if (command === 'inspect') return inspectCommand(target);
    return await runCommand(command as 'run' | 'resume', target, values);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof ArchitectureFileError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    process.stderr.write(unexpectedErrorReport(error));
    return 1;
  }
}

/** Runs the process: a backend probe when asked for one (see backends/probe.ts), else the CLI. */
export async function cli(): Promise<void> {
  // A data-parallel training worker is a thread started on this same file.
  if (maybeRunTrainingWorker()) return;
  if (await maybeRunProbe(process.argv)) return;
  const code = await main(process.argv.slice(2));
  // Exit explicitly: TF.js backends can keep handles open after the run is over.
  process.exit(code);
}

// Forked by the extension as `node dist/trainer.js …`; bin/resbuilder.js calls cli() itself.
if (require.main === module) void cli();
