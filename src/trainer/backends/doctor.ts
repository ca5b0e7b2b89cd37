/**
 * The backend doctor (`resbuilder backends`, "ResBuilder: Check Compute Backends"): every
 * backend, whether it works here and why not, the fix, and what it would run with, including a
 * short training-speed probe, each in its own process as the trainer's selection probes them.
 */
import type { DoctorBackend, DoctorReport } from '../../protocol/backend-doctor';
import type { BackendName } from '../../protocol/events';
import { BACKEND_FIXES, BACKEND_ORDER, BACKEND_PACKAGES } from './candidates';
import { currentBackendLocations, lookupBackendModule, moduleFolders, trainerNodeModules } from './module-locations';
import { describeModuleSource } from '../../protocol/backend-modules';
import { BUILD_HINT } from './native/addon';
import { hasTfjsNodeAddon } from './optional-module';
import { defaultProbeEntry, probeInSubprocess, type ProbeEntry } from './probe-process';
import { describeFailure, type ProbeResult } from './probe-result';
import { checkGpu, gpuProblems, type GpuCheck } from './system-libs';

export const DEFAULT_SPEED_PROBE_MS = 3000;

export interface DoctorOptions {
  /** Length of each backend's training-speed probe; 0 skips it. */
  speedMs?: number;
  /** Longest a backend's probe may take (CUDA start-up can be slow). */
  timeoutMs?: number;
  entry?: ProbeEntry;
  /** "checking native…" lines while the probes run. */
  onProgress?: (message: string) => void;
  /** The machine's GPU facts; a parameter so other machines can be described in tests. */
  gpu?: GpuCheck;
}

/** How to get a missing backend package, on the command line and in VS Code. */
export function installFix(name: BackendName): string {
  return `resbuilder backends install ${name} (in VS Code: "ResBuilder: Install GPU Backend…")`;
}

function failureFix(name: BackendName, result: Extract<ProbeResult, { ok: false }>): { why: string; fix: string } {
  const dnnl = /(libdnnl\.so[.\d]*)[^\n]*cannot open shared object file/.exec(result.detail);
  if (name === 'native' && dnnl) {
    return {
      why: `missing oneDNN library: ${dnnl[1]} (the dynamic loader cannot find it)`,
      fix: 'install oneDNN (Debian: apt-get install libdnnl-dev) and rebuild the addon: node scripts/build-native.js',
    };
  }
  if (result.detail.includes(BUILD_HINT)) {
    return { why: `the oneDNN addon is not built here: ${result.detail.replace(BUILD_HINT, '').trim()}`, fix: BUILD_HINT };
  }
  return { why: describeFailure(result), fix: BACKEND_FIXES[name] };
}

async function examine(name: BackendName, opts: Required<Pick<DoctorOptions, 'speedMs' | 'timeoutMs'>> & DoctorOptions, gpu: GpuCheck): Promise<DoctorBackend> {
  const why: string[] = [];
  const fix: string[] = [];
  const packageName = BACKEND_PACKAGES[name];
  let module: DoctorBackend['module'];
  if (packageName !== undefined) {
    const lookup = lookupBackendModule(packageName);
    if (!lookup.found) {
      // Where it looked is listed once, at the end of the report.
      why.push(`missing package: ${packageName} is not installed`);
      fix.push(installFix(name));
    } else {
      module = lookup.module;
      if (!hasTfjsNodeAddon(packageName)) {
        why.push(`${packageName} ${module.version} in ${module.dir} has no libtensorflow addon: its install could not download libtensorflow`);
        fix.push(`reinstall it where it can download (or from a mirror: docs/gpu.md, "Installing without internet access"): ${installFix(name)}`);
      }
    }
  }
  if (name === 'tensorflow-gpu') {
    const problems = gpuProblems(gpu);
    why.push(...problems.why);
    fix.push(...problems.fix);
  }
  const withModule = module === undefined ? {} : { module };
  if (why.length > 0) return { name, available: false, why, fix, ...withModule };
  opts.onProgress?.(`checking ${name}${opts.speedMs > 0 ? ` (and training a small network for ${opts.speedMs / 1000} s)` : ''}…`);
  const result = await probeInSubprocess(name, opts.timeoutMs + opts.speedMs, opts.entry ?? defaultProbeEntry(), opts.speedMs);
  if (!result.ok) {
    const failure = failureFix(name, result);
    return { name, available: false, why: [failure.why], fix: [failure.fix], ...withModule };
  }
  const facts = result.facts ?? {};
  return {
    name,
    available: true,
    why: [],
    fix: [],
    ...(facts.threads === undefined ? {} : { threads: facts.threads }),
    ...(name === 'tensorflow-gpu' ? { devices: gpu.devices } : {}),
    ...(facts.imagesPerSecond === undefined ? {} : { imagesPerSecond: facts.imagesPerSecond }),
    ...(facts.detail === undefined ? {} : { detail: facts.detail }),
    ...(facts.module === undefined ? withModule : { module: facts.module }),
  };
}

/** Examines every backend, fastest first; never throws for a backend that does not work. */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const opts = { ...options, speedMs: options.speedMs ?? DEFAULT_SPEED_PROBE_MS, timeoutMs: options.timeoutMs ?? 60_000 };
  const gpu = options.gpu ?? checkGpu();
  const backends: DoctorBackend[] = [];
  for (const name of BACKEND_ORDER) backends.push(await examine(name, opts, gpu));
  const locations = currentBackendLocations();
  return {
    backends,
    auto: backends.find((b) => b.available)?.name ?? null,
    locations: [
      ...moduleFolders(locations).map((f) => ({ label: f.label, path: f.nodeModules })),
      { label: describeModuleSource('trainer', locations), path: trainerNodeModules() },
    ],
    speedProbeSeconds: opts.speedMs / 1000,
    gpu: { platform: gpu.platform, ...(gpu.driver === undefined ? {} : { driver: gpu.driver }), devices: gpu.devices, libraries: gpu.libraries },
  };
}
