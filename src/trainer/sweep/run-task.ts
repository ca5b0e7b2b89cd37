/**
 * `resbuilder run-task <sweep-folder> <index>`: what one array task of a sweep runs. It starts
 * the task in its stable run folder, resumes it from the checkpoint there when an earlier
 * attempt (pre-empted, requeued, cancelled) left one, or does nothing when the task has
 * finished. Deciding this here rather than in the sbatch script keeps it tested and the same
 * on every cluster (docs/cluster.md, "Pre-emption and requeue").
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../core/config/diagnostics';
import { parseConfigText } from '../../core/config/parse';
import { SWEEP_CONFIG_FILE, TaskSlurmRecordSchema, type TaskSlurmRecord } from '../../core/sweep/manifest';
import { taskConfigText } from '../../core/sweep/task-config';
import { runPaths } from '../run/run-dir';
import { resumeRun, startRunIn, type RunOptions, type RunOutcome } from '../session/start';
import { openSweep, readEvents, readTaskSlurm, TASK_SLURM_FILE, taskRunDir } from './sweep-folder';

function recordAttempt(runDir: string, index: number, action: TaskSlurmRecord['attempts'][number]['action']): void {
  const env = process.env;
  const previous = readTaskSlurm(runDir);
  const record: TaskSlurmRecord = {
    jobId: env.SLURM_ARRAY_JOB_ID ?? env.SLURM_JOB_ID ?? previous?.jobId ?? 'none',
    arrayTaskId: Number(env.SLURM_ARRAY_TASK_ID ?? index),
    attempts: [...(previous?.attempts ?? []), {
      jobId: env.SLURM_JOB_ID ?? 'none',
      node: env.SLURMD_NODENAME ?? os.hostname(),
      restartCount: Number(env.SLURM_RESTART_COUNT ?? 0),
      startedAt: new Date().toISOString(),
      action,
    }],
  };
  fs.writeFileSync(path.join(runDir, TASK_SLURM_FILE), `${JSON.stringify(TaskSlurmRecordSchema.parse(record), null, 2)}\n`);
}

export async function runTask(sweepTarget: string, indexText: string, opts: RunOptions): Promise<RunOutcome> {
  const sweep = openSweep(sweepTarget);
  const index = Number(indexText);
  if (!/^\d+$/.test(indexText) || index >= sweep.manifest.tasks.length) {
    throw new Error(`run-task: task index "${indexText}" is not one of 0–${sweep.manifest.tasks.length - 1} in ${sweep.dir}.`);
  }
  const task = sweep.manifest.tasks[index];
  const runDir = taskRunDir(sweep, index);
  fs.mkdirSync(runDir, { recursive: true });
  const paths = runPaths(runDir);

  if (readEvents(runDir).some((e) => e.type === 'finished')) {
    recordAttempt(runDir, index, 'done');
    process.stdout.write(`task ${index} has finished already (${runDir}); nothing to do.\n`);
    return { kind: 'finished', runDir, exitCode: 0 };
  }
  if (fs.existsSync(path.join(paths.checkpointDir, 'state.json'))) {
    recordAttempt(runDir, index, 'resume');
    return resumeRun(runDir, opts);
  }
  // No checkpoint yet: whatever an earlier attempt wrote before its first one is started over.
  recordAttempt(runDir, index, 'run');
  const text = taskConfigText(fs.readFileSync(path.join(sweep.dir, SWEEP_CONFIG_FILE), 'utf8'), task, {
    archFile: path.join(sweep.dir, `${task.runId}.arch.json`),
    runsDir: path.join(sweep.dir, 'runs'),
  });
  // Parsed at the original config's path, so its relative paths (dataset, start) mean what they meant there.
  const parsed = parseConfigText(text, sweep.manifest.configPath);
  if (!parsed.config) throw new ConfigError(paths.configCopy, parsed.diagnostics.filter((d) => d.severity === 'error'));
  fs.writeFileSync(paths.configCopy, text);
  fs.writeFileSync(paths.eventsFile, '');
  return startRunIn(parsed.config, paths, opts);
}
