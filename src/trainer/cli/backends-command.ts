/**
 * `resbuilder backends` (the doctor) and `resbuilder backends install <backend>`.
 */
import { formatDoctorReport, formatImagesPerSecond } from '../../protocol/backend-doctor-text';
import { InstallableBackendSchema, type InstallReport } from '../../protocol/backend-install';
import { configureBackendLocations, currentBackendLocations } from '../backends/module-locations';
import { DEFAULT_SPEED_PROBE_MS, runDoctor } from '../backends/doctor';
import { installBackendPackage, packageSpec } from '../backends/install';
import { probeInSubprocess } from '../backends/probe-process';
import { describeFailure } from '../backends/probe-result';

export class BackendsUsageError extends Error {}

export interface BackendsFlags {
  json?: boolean;
  dir?: string;
  from?: string;
  'speed-seconds'?: string;
}

function speedMs(value: string | undefined): number {
  if (value === undefined) return DEFAULT_SPEED_PROBE_MS;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 600) {
    throw new BackendsUsageError(`--speed-seconds: "${value}" is not a number of seconds from 0 (no speed probe) to 600.`);
  }
  return Math.round(seconds * 1000);
}

/** The doctor: a table (or JSON) of every backend. Exit code 0 when any backend works. */
export async function doctorCommand(flags: BackendsFlags): Promise<number> {
  const ms = speedMs(flags['speed-seconds']);
  const report = await runDoctor({ speedMs: ms, onProgress: (m) => process.stderr.write(`${m}\n`) });
  process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctorReport(report)}\n`);
  return report.auto === null ? 1 : 0;
}

function installText(report: InstallReport): string {
  if (!report.installed) {
    return [`Installing ${report.spec} into ${report.dir} failed: ${report.failure ?? 'unknown error'}.`, ...(report.offline ? [report.offline] : [])].join('\n');
  }
  const lines = [`Installed ${report.module?.package} ${report.module?.version} into ${report.module?.dir}.`];
  if (report.probe?.available) lines.push(`${report.backend} works here: ${formatImagesPerSecond(report.probe.imagesPerSecond)} on the doctor's small network.`);
  else lines.push(`${report.backend} does not run here yet: ${report.probe?.why ?? 'not probed'}. Run \`resbuilder backends\` for the fix.`);
  return lines.join('\n');
}

/** Installs a backend package into the private folder (or --dir), then probes the backend. */
export async function installCommand(what: string | undefined, flags: BackendsFlags): Promise<number> {
  const parsed = InstallableBackendSchema.safeParse(what);
  if (!parsed.success) {
    throw new BackendsUsageError(`backends install: "${what ?? ''}" cannot be installed; use one of ${InstallableBackendSchema.options.join(', ')}.`);
  }
  const backend = parsed.data;
  const locations = currentBackendLocations();
  const dir = flags.dir ?? locations.privateDir;
  if (dir === undefined) throw new BackendsUsageError('backends install: no folder to install into; give --dir <folder>.');
  // npm's output is the log; in --json mode stdout carries only the report.
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const controller = new AbortController();
  const cancel = (): void => controller.abort();
  process.once('SIGINT', cancel);
  process.once('SIGTERM', cancel);
  let outcome;
  try {
    outcome = await installBackendPackage({ backend, dir, from: flags.from, onLine: log, signal: controller.signal });
  } finally {
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
  }
  const report: InstallReport = {
    backend,
    spec: outcome.spec ?? packageSpec(backend, flags.from),
    dir,
    command: outcome.command,
    installed: outcome.installed,
    ...(outcome.module ? { module: outcome.module } : {}),
    ...(outcome.failure ? { failure: outcome.failure } : {}),
    ...(outcome.offline ? { offline: outcome.offline } : {}),
  };
  if (outcome.installed) {
    // Probe exactly the folder just filled, ahead of every other place.
    configureBackendLocations({ ...locations, modulesPath: dir, modulesPathOrigin: 'flag' });
    log(`probing ${backend}…`);
    const result = await probeInSubprocess(backend, 60_000 + DEFAULT_SPEED_PROBE_MS, undefined, DEFAULT_SPEED_PROBE_MS);
    report.probe = result.ok
      ? { available: true, ...(result.facts?.imagesPerSecond === undefined ? {} : { imagesPerSecond: result.facts.imagesPerSecond }) }
      : { available: false, why: describeFailure(result) };
  }
  process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${installText(report)}\n`);
  return report.installed ? 0 : 1;
}
