/**
 * Starts the benchmark of one backend in a child process (this same script with WORKER_FLAG)
 * and waits for its result.
 */
import { fork } from 'node:child_process';
import type { BackendName } from '../../src/protocol/events';
import type { BackendOutcome, WorkerMessage } from './types';
import { PROFILE_FLAG, WORKER_FLAG } from './worker';

function isWorkerMessage(value: unknown): value is WorkerMessage {
  const m = value as Partial<WorkerMessage> | null;
  return typeof m === 'object' && m !== null && m.type === 'resbuilder-bench-result' && typeof m.outcome === 'object';
}

export function benchInChild(script: string, backend: BackendName, profile: boolean): Promise<BackendOutcome> {
  return new Promise((resolve) => {
    let outcome: BackendOutcome | undefined;
    let stderr = '';
    const args = [`${WORKER_FLAG}=${backend}`, ...(profile ? [PROFILE_FLAG] : [])];
    const child = fork(script, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    // TF.js prints a banner about tfjs-node on stdout; the worker reports over IPC only.
    child.stdout?.resume();
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < 65536) stderr += chunk;
    });
    child.on('message', (message: unknown) => {
      if (isWorkerMessage(message)) outcome = message.outcome;
    });
    child.on('error', (error) => {
      outcome ??= { engine: 'tfjs', backend, ok: false, reason: `could not start the worker: ${error.message}` };
    });
    child.on('close', (code, signal) => {
      if (outcome) return resolve(outcome);
      const line = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '').find((l) => /error/i.test(l)) ?? stderr.trim().split('\n').at(-1) ?? '';
      resolve({ engine: 'tfjs', backend, ok: false, reason: `worker ended (${signal ?? `exit code ${code}`}) without a result${line ? `: ${line}` : ''}` });
    });
  });
}
