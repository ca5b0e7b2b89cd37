/**
 * Picks the TF.js backend the trainer runs on: the fastest one that really works here, or the
 * one the config names (then failing loudly, never falling back).
 */
import type { BackendChoice } from '../../core/config/types';
import type { BackendName, BackendReport } from '../../protocol/events';
import { runProbe } from './activate';
import { BackendError } from './backend-error';
import { BACKEND_FIXES, BACKEND_ORDER, BACKEND_PACKAGES, BACKEND_THREADS } from './candidates';
import { BUILD_HINT } from './native/addon';
import { loadedModuleInfo } from './optional-module';
import { createSubprocessProber } from './probe-process';
import { describeFailure, firstLine, type Prober, type ProbeResult } from './probe-result';

export interface SelectBackendOptions {
  /** Longest a probe may take before its backend counts as hung (CUDA start-up can be slow). */
  probeTimeoutMs?: number;
  /** How faster backends are checked; defaults to a child process per backend. */
  prober?: Prober;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 60_000;

function report(name: BackendName, skipped: BackendReport['skipped']): BackendReport {
  const threads = BACKEND_THREADS[name];
  const packageName = BACKEND_PACKAGES[name];
  const module = packageName === undefined ? undefined : loadedModuleInfo(packageName);
  return { name, skipped, ...(threads === undefined ? {} : { threads }), ...(module === undefined ? {} : { module }) };
}

async function probe(prober: Prober, name: BackendName, timeoutMs: number): Promise<ProbeResult> {
  if (name === 'cpu') return { ok: true };
  try {
    return await prober(name, timeoutMs);
  } catch (error) {
    return { ok: false, kind: 'crashed', detail: firstLine(error) };
  }
}

async function selectAuto(prober: Prober, timeoutMs: number): Promise<BackendReport> {
  const skipped: BackendReport['skipped'] = [];
  for (const name of BACKEND_ORDER) {
    let result = await probe(prober, name, timeoutMs);
    // Passed in its own process: now start it here (runProbe checks it again in this process).
    if (result.ok) result = await runProbe(name);
    if (result.ok) return report(name, skipped);
    skipped.push({ name, reason: describeFailure(result) });
  }
  const why = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  throw new BackendError('cpu', `no TF.js backend works on this machine (${why}); ${BACKEND_FIXES.cpu}`);
}

async function selectExplicit(prober: Prober, name: BackendName, timeoutMs: number): Promise<BackendReport> {
  let result = await probe(prober, name, timeoutMs);
  if (result.ok) result = await runProbe(name);
  if (!result.ok) {
    const reason = describeFailure(result).replace(/\.$/, '');
    // The native addon's own error already carries its build instructions.
    const fix = result.detail.includes(BUILD_HINT) ? 'build the addon as above, or set backend: auto' : BACKEND_FIXES[name];
    throw new BackendError(name, `backend '${name}' (config field 'backend') cannot run here: ${reason}. To fix: ${fix}`);
  }
  const faster = BACKEND_ORDER.slice(0, BACKEND_ORDER.indexOf(name));
  return report(
    name,
    faster.map((f) => ({ name: f, reason: `not tried: the config sets backend: ${name}` })),
  );
}

/**
 * Selects and initialises the backend (`tf.setBackend` + `tf.ready()`), and reports which one
 * runs and why each faster one was not used. `auto` tries tensorflow-gpu, tensorflow, native,
 * wasm, cpu in that order; an explicit choice that cannot run throws BackendError.
 */
export async function selectBackend(choice: BackendChoice, opts: SelectBackendOptions = {}): Promise<BackendReport> {
  const prober = opts.prober ?? createSubprocessProber();
  const timeoutMs = opts.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  return choice === 'auto' ? selectAuto(prober, timeoutMs) : selectExplicit(prober, choice, timeoutMs);
}
