/**
 * Parses a `*.resbuilder.yaml` text into the resolved config, reporting every problem at once
 * with the exact place in the text: YAML syntax, wrong types, values out of range, unknown keys,
 * missing settings.
 */
import { LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import { crossFieldProblems } from './checks';
import type { ConfigDiagnostic, ConfigRange } from './diagnostics';
import { problemsFromIssues, type ConfigProblem } from './issues';
import { resolveConfig } from './resolve';
import { ConfigInputSchema } from './schema';
import { sweepProblems } from './sweep-checks';
import type { ResolvedConfig } from './types';
import { locate, toRange, type NodeRange } from './yaml-locate';

export interface ParsedConfig {
  /** Null when any error was found; warnings alone still give a config. */
  config: ResolvedConfig | null;
  /** Errors and warnings in text order. */
  diagnostics: ConfigDiagnostic[];
}

const START_OF_TEXT: NodeRange = [0, 0];

function rangeOfProblem(doc: Document, problem: ConfigProblem): NodeRange {
  // The one 'parent' problem (a missing dataset.path, checks.ts) lies under a key that exists, which
  // the value lookup below falls back to as well, so the mutants of this branch cannot change a place.
  // Stryker disable next-line StringLiteral,BlockStatement: see above
  if (problem.target === 'parent') {
    // Stryker disable next-line MethodExpression,UnaryOperator: see above
    const parent = locate(doc, problem.path.slice(0, -1));
    // Stryker disable next-line LogicalOperator: see above
    return parent.key ?? parent.deepestKey ?? START_OF_TEXT;
  }
  const found = locate(doc, problem.path);
  const exact = problem.target === 'key' ? found.key : found.value;
  return exact ?? found.deepestKey ?? START_OF_TEXT;
}

function yamlDiagnostic(error: YAMLError, severity: 'error' | 'warning', lineCounter: LineCounter): ConfigDiagnostic {
  return {
    message: `YAML: ${error.message}`,
    path: [],
    severity,
    range: toRange(lineCounter, [error.pos[0], error.pos[1]]),
  };
}

export function parseConfigText(text: string, configPath: string): ParsedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const diagnostics: ConfigDiagnostic[] = [
    ...doc.errors.map((e) => yamlDiagnostic(e, 'error', lineCounter)),
    ...doc.warnings.map((w) => yamlDiagnostic(w, 'warning', lineCounter)),
  ];

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    diagnostics.push({ message: `YAML: ${message}`, path: [], severity: 'error', range: toRange(lineCounter, START_OF_TEXT) });
    return { config: null, diagnostics };
  }

  const parsed = ConfigInputSchema.safeParse(data);
  const problems = [...(parsed.success ? [] : problemsFromIssues(parsed.error.issues, data)), ...crossFieldProblems(data), ...sweepProblems(data)];
  // A setting that is wrong gets its error only, not also a "has no effect" warning.
  const wrong = new Set(problems.filter((p) => p.severity === 'error').map((p) => JSON.stringify(p.path)));
  for (const problem of problems) {
    if (problem.severity === 'warning' && wrong.has(JSON.stringify(problem.path))) continue;
    const range: ConfigRange = toRange(lineCounter, rangeOfProblem(doc, problem));
    diagnostics.push({
      message: problem.message,
      path: problem.path,
      severity: problem.severity,
      range,
      ...(problem.suggestion !== undefined && { suggestion: problem.suggestion }),
    });
  }
  diagnostics.sort((x, y) => x.range.start.offset - y.range.start.offset || x.range.end.offset - y.range.end.offset);

  const ok = parsed.success && !diagnostics.some((d) => d.severity === 'error');
  return { config: ok ? resolveConfig(parsed.data, configPath) : null, diagnostics };
}
