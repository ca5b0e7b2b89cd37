/**
 * How the trainer starts a helper child on its own program: from the bundle, the bundle itself
 * (its main checks for the helper's flag first); from TypeScript sources (tests, tsx), a small
 * entry file beside the helper's module, run through tsx.
 */
import * as path from 'node:path';

/** The script a child runs, and the node options it needs. */
export interface ChildEntry {
  modulePath: string;
  execArgv: readonly string[];
}

/** `moduleFile` is the caller's __filename; `tsEntry` the entry file's name beside it. */
export function sameProgramEntry(moduleFile: string, tsEntry: string): ChildEntry {
  if (moduleFile.endsWith('.ts')) {
    return { modulePath: path.join(path.dirname(moduleFile), tsEntry), execArgv: ['--require', require.resolve('tsx/cjs')] };
  }
  return { modulePath: moduleFile, execArgv: [] };
}
