/**
 * The `.arch.json` text format. Keys are written in a fixed order with 2-space indentation and a
 * trailing newline, so that a committed architecture diffs line by line in a pull request.
 * Parsing validates the schema and the graph's structure and reports the file, the JSON path,
 * what was expected and how to fix it.
 */
import type { z } from 'zod';
import { ARCH_DOCUMENT_VERSION, ARCH_SCHEMA_VERSION, ArchitectureSchema, type Architecture, type Layer } from './types';
import { ArchitectureError, resolveArchitecture } from './resolve';

export class ArchitectureFileError extends Error {
  constructor(
    message: string,
    readonly file: string,
    /** JSON path of the first problem, e.g. `layers[3].width`; empty for the whole document. */
    readonly path: string,
    /** 1-based position of a JSON syntax error. */
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'ArchitectureFileError';
  }
}

function orderedLayer(layer: Layer): Record<string, unknown> {
  switch (layer.kind) {
    case 'conv':
      return {
        kind: layer.kind,
        id: layer.id,
        width: layer.width,
        kernel: layer.kernel,
        stride: layer.stride,
        origin: layer.origin,
        ...(layer.insertedAt !== undefined ? { insertedAt: layer.insertedAt } : {}),
      };
    case 'pool':
      return { kind: layer.kind, id: layer.id, pool: layer.pool, size: layer.size, stride: layer.stride };
    case 'dense':
      return { kind: layer.kind, id: layer.id, units: layer.units };
  }
}

/** The architecture as a plain object whose keys are in the file's fixed order. */
export function orderedArchitecture(arch: Architecture): Record<string, unknown> {
  return {
    schemaVersion: arch.schemaVersion,
    blockStyle: arch.blockStyle,
    input: { height: arch.input.height, width: arch.input.width, channels: arch.input.channels },
    numClasses: arch.numClasses,
    layers: arch.layers.map(orderedLayer),
    skips: arch.skips.map((s) => ({ id: s.id, from: s.from, to: s.to })),
  };
}

export function serializeArchitecture(arch: Architecture): string {
  return `${JSON.stringify(orderedArchitecture(arch), null, 2)}\n`;
}

type JsonPath = readonly PropertyKey[];

export function formatJsonPath(path: JsonPath): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function valueAt(root: unknown, path: JsonPath): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key as string];
  }
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** "what was expected" and "how to fix it" for one schema issue. */
function explainIssue(issue: z.core.$ZodIssue, got: unknown, where: string): { expected: string; fix: string } {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`;
      return { expected, fix: got === undefined ? `add "${where}" with ${expected}` : `change it to ${expected}` };
    }
    case 'too_small':
      return { expected: `a value ${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}${issue.origin === 'array' ? ' entries' : ''}`, fix: `raise it to at least ${String(issue.minimum)}` };
    case 'too_big':
      return { expected: `a value ${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}`, fix: `lower it to at most ${String(issue.maximum)}` };
    case 'invalid_value': {
      const options = issue.values.map((v) => JSON.stringify(v)).join(', ');
      return { expected: issue.values.length === 1 ? options : `one of ${options}`, fix: `use ${issue.values.length === 1 ? options : `one of ${options}`}` };
    }
    case 'unrecognized_keys':
      return { expected: 'only the keys of the architecture format', fix: `remove ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
    case 'invalid_format':
      return { expected: issue.message, fix: 'rename it, e.g. "s1b1.conv1"' };
    case 'invalid_union': {
      const options = 'options' in issue && Array.isArray(issue.options) ? issue.options.map((o) => JSON.stringify(o)).join(', ') : '';
      return options
        ? { expected: `one of ${options}`, fix: `set it to one of ${options}` }
        : { expected: issue.message, fix: 'see the architecture format in the documentation' };
    }
    default:
      return { expected: issue.message, fix: 'see the architecture format in the documentation' };
  }
}

function schemaError(error: z.ZodError, root: unknown, file: string, prefix: JsonPath): ArchitectureFileError {
  const lines = error.issues.slice(0, 10).map((issue) => {
    const where = formatJsonPath([...prefix, ...issue.path]) || '(document)';
    const got = valueAt(root, [...prefix, ...issue.path]);
    const { expected, fix } = explainIssue(issue, got, where);
    const gotText = issue.code === 'unrecognized_keys' ? `${issue.keys.join(', ')}` : describe(got);
    return `${where}: expected ${expected}, got ${gotText}. Fix: ${fix}.`;
  });
  if (error.issues.length > 10) lines.push(`... and ${error.issues.length - 10} more problems.`);
  const first = formatJsonPath([...prefix, ...(error.issues[0]?.path ?? [])]);
  return new ArchitectureFileError(`${file}: invalid architecture:\n  ${lines.join('\n  ')}`, file, first);
}

function graphError(err: ArchitectureError, arch: Architecture, file: string, prefix: JsonPath): ArchitectureFileError {
  let path: JsonPath = prefix;
  if (err.at !== undefined) {
    const layerIndex = arch.layers.findIndex((l) => l.id === err.at);
    const skipIndex = arch.skips.findIndex((s) => s.id === err.at);
    if (skipIndex >= 0) path = [...prefix, 'skips', skipIndex];
    else if (layerIndex >= 0) path = [...prefix, 'layers', layerIndex];
  }
  const where = formatJsonPath(path) || '(document)';
  return new ArchitectureFileError(
    `${file}: ${where}: ${err.message} Fix the layer list or the skips so that every block is a run of conv layers and every shape fits.`,
    file,
    formatJsonPath(path),
  );
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const match = /position (\d+)/.exec(message);
    const position = match ? Number(match[1]) : text.length;
    const before = text.slice(0, position).split('\n');
    const line = before.length;
    const column = before[before.length - 1].length + 1;
    throw new ArchitectureFileError(
      `${file}:${line}:${column}: not valid JSON (${message.replace(/ in JSON at position \d+.*$/, '')}). Fix the JSON syntax at line ${line}, column ${column} (a missing comma or quote, or a trailing comma, is the usual cause).`,
      file,
      '',
      line,
      column,
    );
  }
}

/** A version above the one this code reads: a clear error instead of a list of schema mismatches. */
function checkVersion(value: unknown, supported: number, what: string, file: string, prefix: JsonPath): void {
  if (value === null || typeof value !== 'object') return;
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  if (typeof version === 'number' && version > supported) {
    const where = formatJsonPath([...prefix, 'schemaVersion']);
    throw new ArchitectureFileError(
      `${file}: ${where}: ${what} version ${version} is newer than this ResBuilder Studio reads (version ${supported}). Fix: update ResBuilder Studio, or export the architecture again with this version.`,
      file,
      where,
    );
  }
}

function validate(root: unknown, value: unknown, file: string, prefix: JsonPath): Architecture {
  checkVersion(value, ARCH_SCHEMA_VERSION, 'the architecture format', file, prefix);
  const parsed = ArchitectureSchema.safeParse(value);
  if (!parsed.success) throw schemaError(parsed.error, root, file, prefix);
  try {
    resolveArchitecture(parsed.data);
  } catch (err) {
    if (err instanceof ArchitectureError) throw graphError(err, parsed.data, file, prefix);
    throw err;
  }
  return parsed.data;
}

/** Parses a bare architecture (the format `serializeArchitecture` writes). */
export function parseArchitecture(text: string, file: string): Architecture {
  const root = parseJson(text, file);
  return validate(root, root, file, []);
}

/**
 * Parses either a bare architecture or an exported `.arch.json` document
 * `{ schemaVersion, architecture, metrics, provenance, changes }`, returning the architecture.
 * The document's other fields are not validated here.
 */
export function parseArchitectureDocument(text: string, file: string): Architecture {
  return readArchitectureFile(text, file).architecture;
}

/**
 * Like parseArchitectureDocument, and also hands back the document's other sections (metrics,
 * provenance) unvalidated, for the readers that use them; a bare architecture has none.
 */
export function readArchitectureFile(text: string, file: string): { architecture: Architecture; metrics: unknown; provenance: unknown } {
  const root = parseJson(text, file);
  if (root !== null && typeof root === 'object' && !Array.isArray(root) && 'architecture' in root) {
    checkVersion(root, ARCH_DOCUMENT_VERSION, 'the .arch.json document format', file, []);
    const doc = root as { architecture: unknown; metrics?: unknown; provenance?: unknown };
    return { architecture: validate(root, doc.architecture, file, ['architecture']), metrics: doc.metrics, provenance: doc.provenance };
  }
  return { architecture: validate(root, root, file, []), metrics: undefined, provenance: undefined };
}
