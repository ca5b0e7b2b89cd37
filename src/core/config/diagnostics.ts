/**
 * Problems found in a config file, with the exact place: the editor underlines `range`, the CLI
 * prints `formatDiagnostic`.
 */

export interface ConfigPosition {
  /** 0-based, as VS Code counts. */
  line: number;
  /** 0-based, in UTF-16 code units, as VS Code counts. */
  column: number;
  /** 0-based character offset into the text. */
  offset: number;
}

export interface ConfigRange {
  start: ConfigPosition;
  end: ConfigPosition;
}

export interface ConfigDiagnostic {
  /** What was expected and what was found, e.g. `expected a number below 1, got 1.5`. */
  message: string;
  /** The setting concerned, e.g. `['dataset', 'validationSplit']`; empty for YAML syntax errors. */
  path: (string | number)[];
  severity: 'error' | 'warning';
  range: ConfigRange;
  /** A close valid key or value (or a key's full path when it belongs in another section). */
  suggestion?: string;
}

/** `dataset.augmentation.shift`, `layers[2].width`. */
export function formatConfigPath(path: readonly (string | number)[]): string {
  let text = '';
  for (const segment of path) {
    text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  }
  return text;
}

/** The message with its path and suggestion, without the location: for the editor's hover. */
export function describeDiagnostic(d: ConfigDiagnostic): string {
  const where = d.path.length > 0 ? `${formatConfigPath(d.path)}: ` : '';
  const hint = d.suggestion === undefined ? '' : ` (did you mean "${d.suggestion}"?)`;
  return `${where}${d.message}${hint}`;
}

/** The suggestion `describeDiagnostic` put into a message, for a quick fix that applies it. */
export function suggestionInMessage(message: string): string | undefined {
  return /\(did you mean "([^"]+)"\?\)$/.exec(message)?.[1];
}

/** `file:LINE:COL: error: dataset.validationSplit: expected …, got …`, 1-based for people and terminals. */
export function formatDiagnostic(d: ConfigDiagnostic, file: string): string {
  return `${file}:${d.range.start.line + 1}:${d.range.start.column + 1}: ${d.severity}: ${describeDiagnostic(d)}`;
}

/** Thrown by `loadConfigFile`: the message lists every problem, one per line. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly diagnostics: ConfigDiagnostic[],
    message = diagnostics.map((d) => formatDiagnostic(d, file)).join('\n'),
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}
