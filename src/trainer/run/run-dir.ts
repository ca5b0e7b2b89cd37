/**
 * A run's folder, `<runsDir>/<runId>/`: `events.jsonl` (the durable record), `config.yaml` (the
 * config as it was when the run started), `checkpoint/` (the latest checkpoint), `model/` (the
 * exported TF.js model) and, only when the run fails, `trainer.log` (the error and its stack).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface RunPaths {
  runId: string;
  dir: string;
  eventsFile: string;
  configCopy: string;
  checkpointDir: string;
  modelDir: string;
  logFile: string;
}

export function runPaths(dir: string): RunPaths {
  return {
    runId: path.basename(dir),
    dir,
    eventsFile: path.join(dir, 'events.jsonl'),
    configCopy: path.join(dir, 'config.yaml'),
    checkpointDir: path.join(dir, 'checkpoint'),
    modelDir: path.join(dir, 'model'),
    logFile: path.join(dir, 'trainer.log'),
  };
}

function timestamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

/** Creates a new run folder; the id sorts by start time and stays unique for runs started in the same second. */
export function createRunDir(runsDir: string, name: string, configPath: string): RunPaths {
  const safeName = name.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 40) || 'run';
  const runId = `${safeName}-${timestamp(new Date())}-${crypto.randomBytes(2).toString('hex')}`;
  const paths = runPaths(path.join(runsDir, runId));
  fs.mkdirSync(paths.dir, { recursive: true });
  fs.copyFileSync(configPath, paths.configCopy);
  fs.writeFileSync(paths.eventsFile, '');
  return paths;
}
