/**
 * The config one task of a sweep runs: the sweep's config text with the task's seed and grid
 * values set, the `sweep:` section removed, and the outputs pointed into the sweep folder so no
 * two tasks write the same file. Comments and key order survive, so the copy in the run folder
 * reads like the user's own file.
 */
import { parseDocument } from 'yaml';
import type { SweepTask } from './expand';

export interface TaskOutputs {
  /** Absolute path of the task's `.arch.json`. */
  archFile: string;
  /** Absolute path of the folder holding the task's run folder. */
  runsDir: string;
}

export function taskConfigText(sweepConfigText: string, task: Pick<SweepTask, 'seed' | 'settings'>, outputs: TaskOutputs): string {
  const parsed = parseDocument(sweepConfigText);
  if (parsed.errors.length > 0) throw new Error(`the sweep's config copy is not valid YAML: ${parsed.errors[0].message}`);
  // An empty file has no mapping to set keys in.
  const doc = parsed.contents === null ? parseDocument('{}') : parsed;
  doc.delete('sweep');
  doc.set('seed', task.seed);
  for (const [key, value] of Object.entries(task.settings)) doc.setIn(key.split('.'), value);
  doc.setIn(['outputs', 'archFile'], outputs.archFile);
  doc.setIn(['outputs', 'runsDir'], outputs.runsDir);
  return doc.toString();
}
