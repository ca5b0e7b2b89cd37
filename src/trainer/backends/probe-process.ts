/**
 * Backend probes in a short-lived child process, so a native library that crashes or a CUDA
 * initialisation that hangs costs a skipped backend, not the trainer.
 *
 * The child is the same program started with PROBE_FLAG: an entry point calls
 * `await maybeRunProbe(process.argv)` first, and when it gives true does nothing else. The trainer
 * bundle's main does this; from TypeScript sources (tests, tsx) the child runs probe-entry.ts.
 */
import { fork } from 'node:child_process';
import { sameProgramEntry, type ChildEntry } from '../child-entry';
import { BackendNameSchema, type BackendName } from '../../protocol/events';
import { runProbe } from './activate';
import { BACKEND_PACKAGES } from './candidates';
import { hasTfjsNodeAddon, notInstalledDetail, searchedFor } from './optional-module';
import { firstLine, isProbeResult, type Prober, type ProbeResult } from './probe-result';
import { collectFacts } from './probe-facts';

export const PROBE_FLAG = '--resbuilder-probe-backend';
/** `=<ms>`: after a passing probe, collect the backend's facts with a training-speed probe of that length. */
export const PROBE_FACTS_FLAG = '--resbuilder-probe-facts';

/** Set in a probe child's environment; a child that forks probes itself is misconfigured. */
const CHILD_ENV = 'RESBUILDER_BACKEND_PROBE_CHILD';

export type ProbeEntry = ChildEntry;

interface ProbeMessage {
  type: 'resbuilder-backend-probe';
  result: ProbeResult;
}

export function defaultProbeEntry(): ProbeEntry {
  return sameProgramEntry(__filename, 'probe-entry.ts');
}

function send(result: ProbeResult): Promise<void> {
  const message: ProbeMessage = { type: 'resbuilder-backend-probe', result };
  return new Promise((resolve) => {
    if (process.send) process.send(message, () => resolve());
    else process.stdout.write(`${JSON.stringify(message)}\n`, () => resolve());
  });
}

/**
 * When `argv` asks for a probe, runs it, reports the result to the parent process and ends
 * this process; resolves true once the result is sent, so the caller starts nothing else.
 * Otherwise resolves false at once.
 */
export async function maybeRunProbe(argv: readonly string[]): Promise<boolean> {
  const arg = argv.find((a) => a.startsWith(`${PROBE_FLAG}=`));
  if (arg === undefined) return false;
  const requested = arg.slice(PROBE_FLAG.length + 1);
  const parsed = BackendNameSchema.safeParse(requested);
  let result: ProbeResult = parsed.success
    ? await runProbe(parsed.data)
    : { ok: false, kind: 'load-failed', detail: `unknown backend '${requested}'` };
  const factsArg = argv.find((a) => a.startsWith(`${PROBE_FACTS_FLAG}=`));
  if (result.ok && parsed.success && factsArg !== undefined) {
    const speedMs = Math.max(0, Number(factsArg.slice(PROBE_FACTS_FLAG.length + 1)) || 0);
    try {
      result = { ok: true, facts: collectFacts(parsed.data, speedMs) };
    } catch (error) {
      result = { ok: false, kind: 'check-failed', detail: `the training-speed probe failed: ${firstLine(error)}` };
    }
  }
  await send(result);
  // Native thread pools (libtensorflow, oneDNN) may keep the event loop alive.
  setTimeout(() => process.exit(0), 0);
  return true;
}

function crashDetail(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  if (code === 0 && signal === null) {
    return 'the probe process ended without a result: its entry point must call maybeRunProbe(process.argv) first';
  }
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const line = lines.find((l) => /error/i.test(l)) ?? lines.at(-1);
  const how = signal !== null ? `killed by ${signal}` : `exit code ${code}`;
  return line === undefined ? how : `${how}: ${line}`;
}

/**
 * Runs runProbe(name) in a child process; never rejects. With `factsSpeedMs`, a backend that
 * passes also reports its facts and a training-speed probe of about that length.
 */
export function probeInSubprocess(
  name: BackendName,
  timeoutMs: number,
  entry: ProbeEntry = defaultProbeEntry(),
  factsSpeedMs?: number,
): Promise<ProbeResult> {
  if (process.env[CHILD_ENV] === '1') {
    // The entry point ignored the probe flag and is running the program again: stop the recursion.
    const detail = 'a probe process tried to start probes: its entry point must call maybeRunProbe(process.argv) first';
    return Promise.resolve({ ok: false, kind: 'crashed', detail });
  }
  return new Promise((resolve) => {
    let settled = false;
    let stderr = '';
    const args = [`${PROBE_FLAG}=${name}`, ...(factsSpeedMs === undefined ? [] : [`${PROBE_FACTS_FLAG}=${factsSpeedMs}`])];
    const child = fork(entry.modulePath, args, {
      execArgv: [...entry.execArgv],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, [CHILD_ENV]: '1' },
    });
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      resolve(result);
    };
    const timer = setTimeout(() => finish({ ok: false, kind: 'timed-out', detail: `${timeoutMs} ms` }), timeoutMs);
    child.stdout?.resume();
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (stderr.length < 65536) stderr += chunk;
    });
    child.on('message', (message: unknown) => {
      const m = message as Partial<ProbeMessage> | null;
      if (m?.type === 'resbuilder-backend-probe' && isProbeResult(m.result)) finish(m.result);
    });
    child.on('error', (error) => finish({ ok: false, kind: 'crashed', detail: error.message }));
    // 'close' comes after the IPC channel has delivered everything the child sent.
    child.on('close', (code, signal) => finish({ ok: false, kind: 'crashed', detail: crashDetail(code, signal, stderr) }));
  });
}

/**
 * The prober selectBackend uses by default: a package that does not resolve is reported
 * (or whose libtensorflow addon is missing) without starting a process; wasm and cpu have no native code to crash, so they are checked
 * in the trainer's own process when started; the rest run in a child process.
 */
export function createSubprocessProber(entry?: ProbeEntry): Prober {
  return (name, timeoutMs) => {
    const packageName = BACKEND_PACKAGES[name];
    const searched = packageName === undefined ? [] : searchedFor(packageName);
    if (packageName !== undefined && searched.length > 0) {
      return Promise.resolve({ ok: false, kind: 'not-installed', detail: notInstalledDetail(packageName, searched) });
    }
    if (packageName !== undefined && !hasTfjsNodeAddon(packageName)) {
      const detail = `${packageName} is present but its libtensorflow addon was not downloaded at install time`;
      return Promise.resolve({ ok: false, kind: 'not-installed', detail });
    }
    if (name === 'wasm' || name === 'cpu') return Promise.resolve({ ok: true });
    return probeInSubprocess(name, timeoutMs, entry ?? defaultProbeEntry());
  };
}
