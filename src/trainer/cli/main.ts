/**
 * The `resbuilder` command line and the trainer process's entry point (the VS Code extension
 * forks this same bundle with `--ipc`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { ArchitectureFileError, parseArchitectureDocument } from '../../core/arch/json';
import { inspectTable } from '../../core/arch/inspect';
import { ConfigError } from '../../core/config/diagnostics';
import { BackendNameSchema, type TrainerEvent } from '../../protocol/events';
import { configureBackendLocations, locationsFromEnvironment, maybeRunProbe } from '../backends';
import { BackendLocationsError } from '../../protocol/backend-modules';
import { BackendsUsageError, doctorCommand, installCommand } from './backends-command';
import { maybeRunTrainingWorker } from '../parallel/worker-mode';
import { maybeRunImageDecoder } from '../data/image-folder-process';
import { EXPORT_FORMATS, ExportFormatSchema, type ExportFormat } from '../../core/export/formats';
import { ExportError, loadExportSource, writeExports } from '../export/export';
import { resumeRun, startRun, type RunOutcome } from '../session/start';
import { version as studioVersion } from '../../../package.json';
import { failureReport, unexpectedErrorReport, type FailedEvent } from './failure';
import { ConsoleProgress } from './progress';
import { SWEEP_HELP, SWEEP_OPTIONS, sweepCommand } from './sweep-commands';

const HELP: Record<string, string> = {
  main: `resbuilder — ResBuilder neural architecture search on TensorFlow.js

Usage:
  resbuilder run <config.resbuilder.yaml> [--backend <name>]   run the search (or training) a config describes
  resbuilder resume <run-folder>                                continue a stopped or crashed run from its last checkpoint
  resbuilder inspect <file.arch.json>                           print an architecture's stages, blocks, widths, parameters, FLOPs
  resbuilder backends [--json]                                  which compute backends work here, why not, the fix, their speed
  resbuilder backends install <tensorflow-gpu|tensorflow>      install a tfjs-node backend package (downloads libtensorflow)
  resbuilder export <run-folder | file.arch.json> --format onnx|pytorch [--out DIR]
                                                                the found network as ONNX, or as a PyTorch module with its weights
  resbuilder submit <config> [--seeds 1,2,3] [--set k=v1,v2]    run seeds and settings as one Slurm job array (docs/cluster.md)
  resbuilder status|cancel|report <sweep-folder>                follow, cancel or summarise a submitted sweep
  resbuilder <command> --help                                   help for one command

Runs are stored in .resbuilder/runs/<run-id>/ next to the config (events.jsonl, checkpoint, model).
The found architecture is written to <config name>.arch.json next to the config.`,
  run: `resbuilder run <config.resbuilder.yaml> [options]

Runs the ResBuilder search described by the config (mode: search), or trains the configured
start architecture (mode: train). Progress goes to the console; Ctrl+C stops after the current
batch and leaves the run resumable with \`resbuilder resume <run-folder>\`.

Options:
  --backend <auto|tensorflow-gpu|tensorflow|native|wasm|cpu>   override the config's backend
  --backend-modules <dir>   look for @tensorflow/tfjs-node(-gpu) in this folder first (docs/gpu.md)
  --ipc        send events to the parent process (used by the VS Code extension)
  --quiet      no console progress (events are still written to events.jsonl)`,
  resume: `resbuilder resume <run-folder> [options]

Continues a run from its last checkpoint (written after every epoch), with the config copy in
the run folder. The run makes the same decisions it would have made without the interruption.

Options:
  --backend <name>   override the backend (use the same one for identical results)
  --backend-modules <dir>, --ipc, --quiet     as for run`,
  inspect: `resbuilder inspect <file.arch.json>

Prints the architecture's stages, blocks and layers with kernel, stride, width, output shape,
parameters and FLOPs (MorphNet's convention: 2·H·W·k²·Cin·Cout per conv, 2·in·out per dense).`,
  backends: `resbuilder backends [options]
resbuilder backends install <tensorflow-gpu|tensorflow> [options]

Without a subcommand: lists every compute backend (tensorflow-gpu, tensorflow, native, wasm,
cpu) with whether it works here, why not (missing package, no GPU, missing CUDA/cuDNN or
oneDNN libraries, …), the fix, the threads it would use and a short training-speed probe, and
which one a run with backend: auto takes. Exit code 1 when none works.

install: runs npm to install @tensorflow/tfjs-node-gpu (tensorflow-gpu) or @tensorflow/tfjs-node
(tensorflow) at the version matching this project's @tensorflow/tfjs into the private backend
folder, then probes the backend. npm uses its own registry and proxy settings; the package's
install downloads libtensorflow (TFJS_NODE_CDN_STORAGE points it at a mirror; docs/gpu.md).

Options:
  --json                   print the report as JSON (the log goes to stderr)
  --speed-seconds <s>      length of each training-speed probe (default 3; 0 skips it)
  --backend-modules <dir>  look in this folder first (also RESBUILDER_BACKEND_MODULES)
  --dir <folder>           install: install into this folder instead of the private one
  --from <file.tgz>        install: install this npm package tarball or folder instead of the registry's`,
  export: `resbuilder export <run-folder | file.arch.json> --format onnx|pytorch [--out DIR]

Writes the found network for use outside ResBuilder Studio (docs/export.md):
  onnx      <name>.onnx: opset 13, input "input" [batch, C, H, W] (NCHW), output
            "probabilities" [batch, classes], the run's provenance as metadata
  pytorch   <name>.py (torch only; Net, load_weights) and <name>.safetensors (the trained weights)
A finished run folder has the trained weights; an .arch.json uses those of the run it names
when that run folder is still there, and otherwise gives a freshly initialised PyTorch module
(ONNX needs weights).

Options:
  --format <onnx|pytorch>   the format; repeat it (or write onnx,pytorch) for both
  --out <DIR>               where the files go (default: next to the .arch.json, or the run folder)`,
  ...SWEEP_HELP,
};

class UsageError extends Error {}

/** Where this process and its probes look for the tfjs-node packages (docs/gpu.md). */
function configureLocations(flag: string | undefined): void {
  const locations = locationsFromEnvironment();
  if (flag !== undefined) {
    if (flag.trim() === '') throw new UsageError('--backend-modules: give a folder.');
    locations.modulesPath = path.resolve(flag);
    locations.modulesPathOrigin = 'flag';
  }
  configureBackendLocations(locations);
}

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
      'backend-modules': { type: 'string' },
      dir: { type: 'string' },
      from: { type: 'string' },
      'speed-seconds': { type: 'string' },
      format: { type: 'string', multiple: true },
      out: { type: 'string' },
      ...SWEEP_OPTIONS,
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

async function exportCommand(target: string, values: ReturnType<typeof parse>['values']): Promise<number> {
  const requested = (values.format ?? []).flatMap((f) => f.split(',')).map((f) => f.trim()).filter((f) => f !== '');
  if (requested.length === 0) throw new UsageError(`export: --format is missing; use --format onnx, --format pytorch, or both.\n\n${HELP.export}`);
  const formats: ExportFormat[] = [];
  for (const f of requested) {
    const parsed = ExportFormatSchema.safeParse(f);
    if (!parsed.success) throw new UsageError(`--format: "${f}" is not an export format; use one of ${EXPORT_FORMATS.join(', ')}.`);
    if (!formats.includes(parsed.data)) formats.push(parsed.data);
  }
  // Reading weights needs no speed; the cpu backend needs no set-up (the wasm one would).
  await tf.setBackend('cpu');
  const source = await loadExportSource(target);
  const outDir = values.out ?? path.dirname(source.archFile);
  if (!source.weights && !values.quiet) process.stderr.write(`note: ${source.noWeightsReason}; the PyTorch module starts freshly initialised.\n`);
  const files = writeExports(source, formats, outDir);
  if (!values.quiet) for (const file of files) process.stdout.write(`wrote ${path.relative(process.cwd(), file) || file}\n`);
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
  if (Object.hasOwn(SWEEP_HELP, command)) {
    try {
      return await sweepCommand(command, positionals.slice(1), values, () => ({ ipc: Boolean(values.ipc), backend: backendOption(values.backend) }));
    } catch (error) {
      if (error instanceof UsageError || error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        return 2;
      }
      process.stderr.write(`error: ${(error as Error)?.message ?? String(error)}\n`);
      return 1;
    }
  }
  try {
    configureLocations(values['backend-modules']);
    if (command === 'backends') {
      if (target === undefined) return await doctorCommand(values);
      if (target !== 'install' || rest.length > 1) throw new UsageError(`backends: unknown subcommand "${[target, ...rest].join(' ')}".\n\n${HELP.backends}`);
      return await installCommand(rest[0], values);
    }
    if (!target) throw new UsageError(`${command}: missing argument.\n\n${HELP[command]}`);
    if (rest.length > 0) throw new UsageError(`${command}: unexpected arguments: ${rest.join(' ')}`);
    if (command === 'inspect') return inspectCommand(target);
    if (command === 'export') return await exportCommand(target, values);
    return await runCommand(command as 'run' | 'resume', target, values);
  } catch (error) {
    if (error instanceof UsageError || error instanceof BackendsUsageError || error instanceof BackendLocationsError || error instanceof ConfigError
      || error instanceof ArchitectureFileError || error instanceof ExportError) {
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
  if (await maybeRunImageDecoder(process.argv)) return;
  const code = await main(process.argv.slice(2));
  // Exit explicitly: TF.js backends can keep handles open after the run is over.
  process.exit(code);
}

// Forked by the extension as `node dist/trainer.js …`; bin/resbuilder.js calls cli() itself.
if (require.main === module) void cli();
