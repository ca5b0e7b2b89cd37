/**
 * Starts one TF.js engine in a child process (this same script with WORKER_FLAG) that stays alive
 * for the whole benchmark, and sends it one request at a time.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { BackendName } from '../../src/protocol/events';
import { ReplyChannel } from './reply-channel';
import type { EngineReply, EngineRequest } from './types';
import { WORKER_FLAG, WORKERS_FLAG } from './worker';

function isReply(value: unknown): value is EngineReply {
  const m = value as { type?: unknown } | null;
  return typeof m === 'object' && m !== null && typeof m.type === 'string';
}

export class EngineProcess {
  private readonly child: ChildProcess;
  private stderr = '';
  private readonly replies: ReplyChannel<EngineReply>;
  /** The first message: 'ready' or 'failed'. */
  readonly started: Promise<EngineReply>;

  constructor(script: string, readonly id: string, readonly backend: BackendName, workers: number | null) {
    const args = [`${WORKER_FLAG}=${backend}`, ...(workers === null ? [] : [`${WORKERS_FLAG}=${workers}`])];
    this.child = fork(script, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    // TF.js prints a banner about tfjs-node on stdout; the engine answers over IPC only.
    this.child.stdout?.resume();
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (this.stderr.length < 65536) this.stderr += chunk;
    });
    this.replies = new ReplyChannel<EngineReply>(`engine ${id}`, (reason) => ({ type: 'failed', reason }));
    this.started = this.replies.ask();
    this.child.on('message', (message: unknown) => {
      if (isReply(message)) this.replies.deliver(message);
    });
    const end = (why: string): void => this.replies.end(why);
    this.child.on('error', (error) => end(`could not start the engine process: ${error.message}`));
    this.child.on('close', (code, signal) => {
      const line = this.stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '').find((l) => /error/i.test(l)) ?? this.stderr.trim().split('\n').at(-1) ?? '';
      end(`engine process ended (${signal ?? `exit code ${code}`})${line ? `: ${line}` : ''}`);
    });
  }

  request(request: EngineRequest): Promise<EngineReply> {
    return this.replies.ask(() => this.child.send(request));
  }

  kill(): void {
    if (this.replies.open) this.child.kill();
  }
}
