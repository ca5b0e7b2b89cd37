/**
 * Finds where a setting sits in the YAML text, so a diagnostic underlines the offending key or
 * value rather than the whole file.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { ConfigPosition, ConfigRange } from './diagnostics';

export type NodeRange = [start: number, end: number];

export interface Located {
  /** The key node of the last path segment that exists in the document. */
  key?: NodeRange;
  /** The value node at the full path, when the full path exists. */
  value?: NodeRange;
  /** Whether every segment of the path was found. */
  found: boolean;
  /** The key range of the deepest segment found (the closest place to point at otherwise). */
  deepestKey?: NodeRange;
}

function rangeOf(node: unknown): NodeRange | undefined {
  if (node === null || typeof node !== 'object' || !('range' in node)) return undefined;
  const range = (node as Node).range;
  // An empty value (`cycles:`) has a zero-length range; the caller then points at its key.
  return range && range[1] > range[0] ? [range[0], range[1]] : undefined;
}

function keyMatches(key: unknown, segment: string | number): boolean {
  const value = isScalar(key) ? key.value : key;
  return String(value) === String(segment);
}

export function locate(doc: Document, path: readonly (string | number)[]): Located {
  let node: unknown = doc.contents;
  let key: NodeRange | undefined;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((item) => keyMatches(item.key, segment));
      if (!pair) return { found: false, deepestKey: key };
      key = rangeOf(pair.key);
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      node = node.items[segment];
      key = rangeOf(node);
    } else {
      return { found: false, deepestKey: key };
    }
  }
  return { found: true, key, value: rangeOf(node) ?? key, deepestKey: key };
}

export function toRange(lineCounter: LineCounter, [start, end]: NodeRange): ConfigRange {
  return { start: toPosition(lineCounter, start), end: toPosition(lineCounter, Math.max(start, end)) };
}

function toPosition(lineCounter: LineCounter, offset: number): ConfigPosition {
  const { line, col } = lineCounter.linePos(offset);
  return { line: line - 1, column: col - 1, offset };
}
