/**
 * Reads the structure of the input schema: which keys are allowed where (for "did you mean"),
 * and the bounds of a numeric field (for "expected a number >= 0 and < 1").
 */
import { z } from 'zod';
import { ConfigInputSchema } from './schema';

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable) current = current.unwrap() as z.ZodType;
  return current;
}

/** The schema of the setting at `path`, or undefined when the path leads nowhere. */
export function fieldSchemaAt(path: readonly (string | number)[]): z.ZodType | undefined {
  let current: z.ZodType = ConfigInputSchema;
  for (const segment of path) {
    const inner = unwrap(current);
    if (!(inner instanceof z.ZodObject) || typeof segment !== 'string') return undefined;
    const shape = inner.shape as Record<string, z.ZodType>;
    if (!Object.hasOwn(shape, segment)) return undefined;
    current = shape[segment];
  }
  return current;
}

/** The keys allowed in the mapping at `path` (empty when it is not a mapping). */
export function allowedKeysAt(path: readonly (string | number)[]): string[] {
  const schema = fieldSchemaAt(path);
  const inner = schema && unwrap(schema);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

/** Every setting's full path, sections included. */
export function allSettingPaths(): string[][] {
  const paths: string[][] = [];
  const walk = (prefix: string[]) => {
    for (const key of allowedKeysAt(prefix)) {
      const path = [...prefix, key];
      paths.push(path);
      walk(path);
    }
  };
  walk([]);
  return paths;
}

export interface NumericBounds {
  integer: boolean;
  min?: { value: number; inclusive: boolean };
  max?: { value: number; inclusive: boolean };
}

type JsonNumber = { type?: string; minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number; anyOf?: JsonNumber[] };

/** Bounds of the numeric setting at `path`, read from its JSON Schema so they match the editor's. */
export function numericBoundsAt(path: readonly (string | number)[]): NumericBounds | undefined {
  const schema = fieldSchemaAt(path);
  if (!schema) return undefined;
  let json = z.toJSONSchema(unwrap(schema), { io: 'input' }) as JsonNumber;
  if (json.anyOf) json = json.anyOf.find((branch) => branch.type === 'number' || branch.type === 'integer') ?? json;
  if (json.type !== 'number' && json.type !== 'integer') return undefined;
  const bounds: NumericBounds = { integer: json.type === 'integer' };
  // The safe-integer limits zod adds to every integer are not worth showing.
  const shown = (v: number | undefined) => v !== undefined && Math.abs(v) < Number.MAX_SAFE_INTEGER;
  if (shown(json.exclusiveMinimum)) bounds.min = { value: json.exclusiveMinimum!, inclusive: false };
  else if (shown(json.minimum)) bounds.min = { value: json.minimum!, inclusive: true };
  if (shown(json.exclusiveMaximum)) bounds.max = { value: json.exclusiveMaximum!, inclusive: false };
  else if (shown(json.maximum)) bounds.max = { value: json.maximum!, inclusive: true };
  return bounds;
}

export function describeBounds(bounds: NumericBounds): string {
  const parts: string[] = [];
  if (bounds.min) parts.push(`${bounds.min.inclusive ? '>=' : '>'} ${bounds.min.value}`);
  if (bounds.max) parts.push(`${bounds.max.inclusive ? '<=' : '<'} ${bounds.max.value}`);
  const kind = bounds.integer ? 'an integer' : 'a number';
  return parts.length > 0 ? `${kind} ${parts.join(' and ')}` : kind;
}
