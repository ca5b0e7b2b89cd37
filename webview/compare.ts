/**
 * What differs between two architectures, matched by layer and block id (ids are stable across
 * a search, so an id present on both sides is the same layer). Used by the compare view and to
 * mark what a structural change did on the stack. Pure: no DOM.
 */
import type { Architecture, Layer } from '../src/core/arch/types';

/** A layer's size: channels of a conv, units of a dense layer; pools have none. */
export function layerWidth(layer: Layer): number | undefined {
  if (layer.kind === 'conv') return layer.width;
  if (layer.kind === 'dense') return layer.units;
  return undefined;
}

export interface BlockSummary {
  id: string;
  layerIds: string[];
  /** Width of each conv in the block, in order. */
  widths: number[];
}

export interface LayerSummary {
  id: string;
  kind: Layer['kind'];
  width?: number;
  /** The block the layer is inside of, on the side it exists on. */
  blockId?: string;
}

export interface ResizedLayer {
  id: string;
  kind: 'conv' | 'dense';
  from: number;
  to: number;
  blockId?: string;
}

/** A layer whose kernel, stride, pool type or kind changed under the same id. */
export interface ChangedLayer {
  id: string;
  description: string;
}

export interface ArchitectureDiff {
  addedBlocks: BlockSummary[];
  removedBlocks: BlockSummary[];
  /** Every added layer, including the ones of added blocks. */
  addedLayers: LayerSummary[];
  removedLayers: LayerSummary[];
  resizedLayers: ResizedLayer[];
  changedLayers: ChangedLayer[];
  /** Other differences that have no layer id: input shape, classes, block style. */
  notes: string[];
  identical: boolean;
}

export type RowStatus = 'same' | 'added' | 'removed' | 'resized';

/** One layer of the union of both sides, in network order. */
export interface MergedLayer {
  layer: Layer;
  status: RowStatus;
  /** The width before, for resized layers. */
  fromWidth?: number;
  blockId?: string;
  /** Position in `after` (absent for removed layers) and in `before` (absent for added ones). */
  afterIndex?: number;
  beforeIndex?: number;
}

/** Maps each layer id to the id of the block (skip) containing it. */
export function blockMembership(arch: Architecture): Map<string, string> {
  const index = new Map(arch.layers.map((l, i) => [l.id, i]));
  const owner = new Map<string, string>();
  for (const skip of arch.skips) {
    const from = index.get(skip.from);
    const to = index.get(skip.to);
    if (from === undefined || to === undefined) continue;
    for (let i = from; i <= to; i++) owner.set(arch.layers[i].id, skip.id);
  }
  return owner;
}

export function summarizeBlocks(arch: Architecture): Map<string, BlockSummary> {
  const owner = blockMembership(arch);
  const blocks = new Map<string, BlockSummary>(arch.skips.map((s) => [s.id, { id: s.id, layerIds: [], widths: [] }]));
  for (const layer of arch.layers) {
    const blockId = owner.get(layer.id);
    if (blockId === undefined) continue;
    const block = blocks.get(blockId)!;
    block.layerIds.push(layer.id);
    const width = layerWidth(layer);
    if (width !== undefined) block.widths.push(width);
  }
  return blocks;
}

function describeLayer(layer: Layer): string {
  switch (layer.kind) {
    case 'conv':
      return `${layer.kernel}×${layer.kernel}/${layer.stride} conv`;
    case 'pool':
      return `${layer.pool} pool ${layer.size}×${layer.size}/${layer.stride}`;
    case 'dense':
      return 'dense';
  }
}

function summarizeLayer(layer: Layer, blockId: string | undefined): LayerSummary {
  const width = layerWidth(layer);
  return { id: layer.id, kind: layer.kind, ...(width !== undefined ? { width } : {}), ...(blockId !== undefined ? { blockId } : {}) };
}

export function diffArchitectures(before: Architecture, after: Architecture): ArchitectureDiff {
  const beforeLayers = new Map(before.layers.map((l) => [l.id, l]));
  const afterLayers = new Map(after.layers.map((l) => [l.id, l]));
  const beforeOwner = blockMembership(before);
  const afterOwner = blockMembership(after);
  const beforeBlocks = summarizeBlocks(before);
  const afterBlocks = summarizeBlocks(after);

  const addedBlocks = [...afterBlocks.values()].filter((b) => !beforeBlocks.has(b.id));
  const removedBlocks = [...beforeBlocks.values()].filter((b) => !afterBlocks.has(b.id));
  const addedLayers = after.layers.filter((l) => !beforeLayers.has(l.id)).map((l) => summarizeLayer(l, afterOwner.get(l.id)));
  const removedLayers = before.layers.filter((l) => !afterLayers.has(l.id)).map((l) => summarizeLayer(l, beforeOwner.get(l.id)));

  const resizedLayers: ResizedLayer[] = [];
  const changedLayers: ChangedLayer[] = [];
  for (const layer of after.layers) {
    const old = beforeLayers.get(layer.id);
    if (!old) continue;
    if (old.kind !== layer.kind) {
      changedLayers.push({ id: layer.id, description: `${describeLayer(old)} → ${describeLayer(layer)}` });
      continue;
    }
    const from = layerWidth(old);
    const to = layerWidth(layer);
    if (from !== undefined && to !== undefined && from !== to && layer.kind !== 'pool') {
      const blockId = afterOwner.get(layer.id);
      resizedLayers.push({ id: layer.id, kind: layer.kind, from, to, ...(blockId !== undefined ? { blockId } : {}) });
    }
    if (describeLayer(old) !== describeLayer(layer)) {
      changedLayers.push({ id: layer.id, description: `${describeLayer(old)} → ${describeLayer(layer)}` });
    }
  }

  const notes: string[] = [];
  const shape = (a: Architecture): string => `${a.input.height}×${a.input.width}×${a.input.channels}`;
  if (shape(before) !== shape(after)) notes.push(`input ${shape(before)} → ${shape(after)}`);
  if (before.numClasses !== after.numClasses) notes.push(`classes ${before.numClasses} → ${after.numClasses}`);
  if (before.blockStyle !== after.blockStyle) notes.push(`block style ${before.blockStyle} → ${after.blockStyle}`);
  const beforeOrder = before.layers.filter((l) => afterLayers.has(l.id)).map((l) => l.id).join(',');
  const afterOrder = after.layers.filter((l) => beforeLayers.has(l.id)).map((l) => l.id).join(',');
  if (beforeOrder !== afterOrder) notes.push('layers present on both sides are in a different order');
  for (const skip of after.skips) {
    const old = before.skips.find((s) => s.id === skip.id);
    if (old && (old.from !== skip.from || old.to !== skip.to)) notes.push(`block ${skip.id} spans ${old.from}…${old.to} → ${skip.from}…${skip.to}`);
  }

  const identical =
    addedLayers.length + removedLayers.length + resizedLayers.length + changedLayers.length + addedBlocks.length + removedBlocks.length + notes.length === 0;
  return { addedBlocks, removedBlocks, addedLayers, removedLayers, resizedLayers, changedLayers, notes, identical };
}

/**
 * The union of both layer lists in network order: `after`'s order, with every removed layer
 * placed right after the last layer before it (in `before`) that survives. Lets one drawing
 * show a change in place: new rows highlighted, removed rows ghosted where they were.
 */
export function mergeLayers(before: Architecture, after: Architecture): MergedLayer[] {
  const afterIndex = new Map(after.layers.map((l, i) => [l.id, i]));
  const beforeLayers = new Map(before.layers.map((l, i) => [l.id, { layer: l, index: i }]));
  const beforeOwner = blockMembership(before);
  const afterOwner = blockMembership(after);

  // Removed layers grouped by the surviving layer they followed ('' = the start of the net).
  const removedAfter = new Map<string, MergedLayer[]>();
  let anchor = '';
  before.layers.forEach((layer, index) => {
    if (afterIndex.has(layer.id)) {
      anchor = layer.id;
      return;
    }
    const list = removedAfter.get(anchor) ?? [];
    const blockId = beforeOwner.get(layer.id);
    list.push({ layer, status: 'removed', beforeIndex: index, ...(blockId !== undefined ? { blockId } : {}) });
    removedAfter.set(anchor, list);
  });

  const rows: MergedLayer[] = [...(removedAfter.get('') ?? [])];
  after.layers.forEach((layer, index) => {
    const old = beforeLayers.get(layer.id);
    const blockId = afterOwner.get(layer.id);
    const row: MergedLayer = { layer, status: old ? 'same' : 'added', afterIndex: index, ...(blockId !== undefined ? { blockId } : {}) };
    if (old) {
      row.beforeIndex = old.index;
      const from = layerWidth(old.layer);
      const to = layerWidth(layer);
      if (from !== undefined && to !== undefined && from !== to) {
        row.status = 'resized';
        row.fromWidth = from;
      }
    }
    rows.push(row, ...(removedAfter.get(layer.id) ?? []));
  });
  return rows;
}

/** A one-line summary, e.g. "+1 block, −2 blocks, 5 layers resized". */
export function summarizeDiff(diff: ArchitectureDiff): string {
  if (diff.identical) return 'no differences';
  const parts: string[] = [];
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (diff.addedBlocks.length) parts.push(`+${plural(diff.addedBlocks.length, 'block')}`);
  if (diff.removedBlocks.length) parts.push(`−${plural(diff.removedBlocks.length, 'block')}`);
  const looseAdded = diff.addedLayers.filter((l) => l.blockId === undefined).length;
  const looseRemoved = diff.removedLayers.filter((l) => l.blockId === undefined).length;
  if (looseAdded) parts.push(`+${plural(looseAdded, 'layer')}`);
  if (looseRemoved) parts.push(`−${plural(looseRemoved, 'layer')}`);
  if (diff.resizedLayers.length) parts.push(`${plural(diff.resizedLayers.length, 'layer')} resized`);
  if (diff.changedLayers.length) parts.push(`${plural(diff.changedLayers.length, 'layer')} changed`);
  parts.push(...diff.notes);
  return parts.join(', ');
}
