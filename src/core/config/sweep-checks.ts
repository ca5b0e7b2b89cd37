/**
 * Checks of the `sweep:` section that the schema alone cannot make: every key of `sweep.grid`
 * must name a setting a task can vary, and every value must be valid for that setting. The
 * same checks serve `resbuilder submit --set key=v1,v2`.
 */
import { formatConfigPath } from './diagnostics';
import { problemsFromIssues, valueAt, type ConfigProblem } from './issues';
import { ConfigInputSchema } from './schema';
import { allowedKeysAt, allSettingPaths, fieldSchemaAt } from './schema-shape';
import { closestMatch } from './suggest';

/** Settings a sweep cannot vary: the seed has `sweep.seeds`, and names and outputs belong to the sweep. */
const FIXED = new Set(['seed', 'name']);
const FIXED_SECTIONS = new Set(['outputs', 'sweep']);

/** The settings a grid may vary, as dotted paths (`search.targetFlops`). */
export function sweepableSettings(): string[] {
  return allSettingPaths()
    .filter((path) => allowedKeysAt(path).length === 0 && !FIXED.has(path[0]) && !FIXED_SECTIONS.has(path[0]))
    .map((path) => formatConfigPath(path));
}

/** Why `key` cannot be a grid key, or undefined when it can. */
export function sweepKeyProblem(key: string): { message: string; suggestion?: string } | undefined {
  const allowed = sweepableSettings();
  if (allowed.includes(key)) return undefined;
  if (key === 'seed') return { message: 'the seed is varied with `sweep.seeds` (or `--seeds`), not in the grid' };
  const segments = key.split('.');
  if (FIXED_SECTIONS.has(segments[0]) || key === 'name') return { message: `"${key}" cannot vary within a sweep: every task writes into the sweep's own folder` };
  if (fieldSchemaAt(segments) !== undefined) return { message: `"${key}" is a section; name one of its settings, e.g. "${allowed.find((k) => k.startsWith(`${key}.`)) ?? allowed[0]}"` };
  const suggestion = closestMatch(key, allowed);
  return { message: `unknown setting "${key}"${suggestion === undefined ? '; name a setting by its dotted path, e.g. "search.targetFlops"' : ''}`, ...(suggestion !== undefined && { suggestion }) };
}

/** The problems of one grid value, as "expected …, got …", or an empty list. */
export function sweepValueProblems(key: string, value: unknown): ConfigProblem[] {
  const path = key.split('.');
  const data: Record<string, unknown> = {};
  let node = data;
  path.slice(0, -1).forEach((segment) => {
    node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  });
  node[path[path.length - 1]] = value;
  const parsed = ConfigInputSchema.safeParse(data);
  return parsed.success ? [] : problemsFromIssues(parsed.error.issues, data);
}

export function sweepProblems(data: unknown): ConfigProblem[] {
  return [...seedProblems(data), ...gridProblems(data)];
}

function seedProblems(data: unknown): ConfigProblem[] {
  const seeds = valueAt(data, ['sweep', 'seeds']);
  if (!Array.isArray(seeds)) return [];
  return seeds.flatMap((s, i): ConfigProblem[] => (seeds.indexOf(s) !== i ? [{ path: ['sweep', 'seeds', i], message: `the seed ${String(s)} is listed twice`, severity: 'error', target: 'value' }] : []));
}

function gridProblems(data: unknown): ConfigProblem[] {
  const grid = valueAt(data, ['sweep', 'grid']);
  if (grid === null || typeof grid !== 'object' || Array.isArray(grid)) return [];
  const problems: ConfigProblem[] = [];
  for (const [key, values] of Object.entries(grid as Record<string, unknown>)) {
    const keyProblem = sweepKeyProblem(key);
    if (keyProblem) {
      problems.push({ path: ['sweep', 'grid', key], message: keyProblem.message, severity: 'error', target: 'key', ...(keyProblem.suggestion !== undefined && { suggestion: keyProblem.suggestion }) });
      continue;
    }
    if (!Array.isArray(values)) continue;
    const seen = new Set<string>();
    values.forEach((value, i) => {
      for (const problem of sweepValueProblems(key, value)) {
        problems.push({ ...problem, path: ['sweep', 'grid', key, i], message: `${key}: ${problem.message}` });
      }
      const id = JSON.stringify(value);
      if (seen.has(id)) problems.push({ path: ['sweep', 'grid', key, i], message: `${key}: the value ${id} is listed twice`, severity: 'error', target: 'value' });
      seen.add(id);
    });
  }
  return problems;
}
