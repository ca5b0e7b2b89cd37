/**
 * Turns schema violations into config problems that say what was expected, what was found and,
 * for typos, what was probably meant. Each problem also says which part of the YAML to point at.
 */
import type { z } from 'zod';
import { describeValue } from './describe-value';
import { formatConfigPath } from './diagnostics';
import { allowedKeysAt, allSettingPaths, describeBounds, numericBoundsAt } from './schema-shape';
import { closestMatch } from './suggest';

/** What a problem underlines: the key itself, its value, or the key of the enclosing section. */
export type Target = 'key' | 'value' | 'parent';

export interface ConfigProblem {
  path: (string | number)[];
  message: string;
  severity: 'error' | 'warning';
  target: Target;
  suggestion?: string;
}

export function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

const TYPE_NAMES: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping of settings (`key: value` lines)',
  array: 'a list',
};

function quoteAll(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? `"${v}"` : String(v))).join(', ');
}

/** A key that is a setting elsewhere (`search.batchSize` → `training.batchSize`). */
function settingElsewhere(parent: readonly (string | number)[], key: string): string | undefined {
  // Stryker disable next-line MethodExpression: both sides of the comparison are folded the same way, so upper case compares alike
  const loose = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, '');
  const here = formatConfigPath(parent);
  const match = allSettingPaths().find(
    (path) => loose(path[path.length - 1]) === loose(key) && formatConfigPath(path.slice(0, -1)) !== here,
  );
  return match && formatConfigPath(match);
}

function unknownKeyProblems(parent: (string | number)[], keys: readonly string[]): ConfigProblem[] {
  const allowed = allowedKeysAt(parent);
  const where = parent.length > 0 ? ` in ${formatConfigPath(parent)}` : '';
  return keys.map((key) => {
    const suggestion = closestMatch(key, allowed) ?? settingElsewhere(parent, key);
    const listing = suggestion === undefined ? `; the settings here are: ${allowed.join(', ')}` : '';
    return {
      path: [...parent, key],
      message: `unknown setting "${key}"${where}${listing}`,
      severity: 'error',
      target: 'key',
      ...(suggestion !== undefined && { suggestion }),
    };
  });
}

function expectedFor(issue: z.core.$ZodIssue, path: (string | number)[]): string {
  switch (issue.code) {
    case 'invalid_type': {
      const bounds = issue.expected === 'int' || issue.expected === 'number' ? numericBoundsAt(path) : undefined;
      const base = bounds ? describeBounds(bounds) : (TYPE_NAMES[issue.expected] ?? issue.expected);
      return `expected ${base}`;
    }
    case 'too_small':
    case 'too_big': {
      if (issue.origin === 'string') return issue.code === 'too_small' ? 'expected a non-empty string' : 'expected a shorter string';
      if (issue.origin === 'array' || issue.origin === 'set') {
        const n = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
        const items = `${n} item${n === 1 ? '' : 's'}`;
        return issue.code === 'too_small' ? (n === 1 ? 'expected a non-empty list' : `expected a list of at least ${items}`) : `expected a list of at most ${items}`;
      }
      const bounds = numericBoundsAt(path);
      return `expected ${bounds ? describeBounds(bounds) : issue.message}`;
    }
    case 'invalid_value':
      return issue.values.length === 1 ? `expected ${quoteAll(issue.values)}` : `expected one of ${quoteAll(issue.values)}`;
    default:
      // Formats, unions and refinements carry their own "expected ..." text from the schema.
      return issue.message.startsWith('expected') ? issue.message : `expected a valid value (${issue.message})`;
  }
}

function suggestionFor(issue: z.core.$ZodIssue, value: unknown, path: readonly (string | number)[]): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (issue.code === 'invalid_value') {
    return closestMatch(value, issue.values.filter((v): v is string => typeof v === 'string'));
  }
  // `architecture.start: resnet-18` and friends: the built-in names are the enum branch of the union.
  if (path.length > 0 && path[path.length - 1] === 'start') return closestMatch(value, ['empty', 'resnet18', 'resnet20']);
  return undefined;
}

/** One problem per offending key or value of a failed schema check. */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], data: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    // Stryker disable next-line MethodExpression,StringLiteral: the data is parsed YAML, whose keys are strings and indices, so zod's paths never hold a symbol
    const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      problems.push(...unknownKeyProblems(path, issue.keys));
      continue;
    }
    const value = valueAt(data, path);
    const suggestion = suggestionFor(issue, value, path);
    problems.push({
      path,
      message: `${expectedFor(issue, path)}, got ${describeValue(value)}`,
      severity: 'error',
      // Stryker disable next-line StringLiteral: only 'key' and 'parent' are told apart where a problem is placed (parse.ts), any other target reads the value
      target: 'value',
      ...(suggestion !== undefined && { suggestion }),
    });
  }
  return problems;
}
