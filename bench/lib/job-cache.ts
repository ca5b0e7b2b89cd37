/**
 * A long benchmark's finished jobs, kept under a key of their exact settings so that a stopped
 * run continues where it was and a later run with other jobs reuses the ones it shares.
 *
 * The cache lives outside the repository by default (BENCH_CACHE, else ~/.cache/resbuilder/bench),
 * so a fresh clone on the same machine finds it. Each entry records the commit it was measured
 * at; a change of the trainer that should invalidate old results changes CACHE_VERSION.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CACHE_VERSION = 1;

export function cacheDir(): string {
  return process.env.BENCH_CACHE ?? path.join(os.homedir(), '.cache', 'resbuilder', 'bench');
}

/** A stable key of everything that decides a job's result: its settings as one JSON value. */
export function jobKey(settings: unknown): string {
  return createHash('sha256').update(JSON.stringify({ cacheVersion: CACHE_VERSION, settings })).digest('hex').slice(0, 32);
}

export class JobCache<T> {
  constructor(private readonly dir: string, private readonly namespace: string) {}

  private file(key: string): string {
    return path.join(this.dir, this.namespace, `${key}.json`);
  }

  get(key: string): T | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.file(key), 'utf8')) as T;
    } catch {
      // A missing entry, or one a killed run left half-written (never: it is renamed into place).
      return undefined;
    }
  }

  /** Written to a temporary name and renamed, so an interrupted write leaves no entry rather than a broken one. */
  put(key: string, value: T): void {
    const file = this.file(key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(value, null, 2));
    fs.renameSync(tmp, file);
  }
}
