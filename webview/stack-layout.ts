/**
 * Turns an architecture (optionally with the one before it) into what the stack view draws:
 * input, stem, stages grouped by resolution, blocks with their convs, and the head. Shapes come
 * from resolveArchitecture so the panel shows what the trainer builds. Pure: no DOM.
 */
import { stagesOf } from '../src/core/search/stages';
import type { Architecture, Layer } from '../src/core/arch/types';
import { resolveArchitecture, type ResolvedArchitecture, type ResolvedLayer, type Shape } from '../src/core/arch/resolve';
import { layerWidth, mergeLayers, type MergedLayer, type RowStatus } from './compare';

export interface StackLayer {
  kind: 'layer';
  layer: Layer;
  status: RowStatus;
  width?: number;
  fromWidth?: number;
  /** Output shape (from the side the layer exists on). */
  outShape: Shape;
  /** True for the first dense layer, which global average pooling precedes. */
  poolsGlobally: boolean;
}

export interface StackBlock {
  kind: 'block';
  id: string;
  status: RowStatus;
  layers: StackLayer[];
  /** Shape after the add. */
  outShape: Shape;
  /** How the shortcut is adapted, e.g. "1×1/2 projection", or '' for identity. */
  shortcut: string;
}

export type StackItem = StackLayer | StackBlock;

export interface StackSection {
  kind: 'stem' | 'stage' | 'head';
  title: string;
  /** "14×14" for stem and stages. */
  resolution?: string;
  items: StackItem[];
  /** Blocks the section's architecture has (ghosts of removed blocks not counted). */
  blocks: number;
}

export interface StackModel {
  input: Shape;
  numClasses: number;
  sections: StackSection[];
  /** Largest conv width and dense size drawn (including old widths), for scaling bars. */
  maxConvWidth: number;
  maxDenseUnits: number;
  blockCount: number;
  /** Shape entering the classifier. */
  headInShape: Shape;
}

function shortcutLabel(resolved: ResolvedArchitecture, blockId: string): string {
  const skip = resolved.skips.find((s) => s.skip.id === blockId);
  if (!skip) return '';
  const { adapter } = skip;
  if (adapter.projection) return `1×1/${adapter.projection.stride} projection`;
  if (adapter.padShortcut) return `shortcut zero-padded +${adapter.padShortcut}`;
  if (adapter.padMain) return `output zero-padded +${adapter.padMain}`;
  return '';
}

function resolution(shape: Shape): string {
  return `${shape[0]}×${shape[1]}`;
}

/** Groups consecutive rows of the same block into block items. */
function groupItems(rows: Row[], blockInfo: (id: string, layers: StackLayer[]) => StackBlock): StackItem[] {
  const items: StackItem[] = [];
  let i = 0;
  while (i < rows.length) {
    const blockId = rows[i].blockId;
    if (blockId === undefined) {
      items.push(rows[i].row);
      i++;
      continue;
    }
    const layers: StackLayer[] = [];
    while (i < rows.length && rows[i].blockId === blockId) layers.push(rows[i++].row);
    items.push(blockInfo(blockId, layers));
  }
  return items;
}

function itemShape(item: StackItem): Shape {
  return item.outShape;
}

function isPool(item: StackItem): boolean {
  return item.kind === 'layer' && item.layer.kind === 'pool';
}

function isDense(item: StackItem): boolean {
  return item.kind === 'layer' && item.layer.kind === 'dense';
}

interface Row {
  row: StackLayer;
  blockId?: string;
}

function makeRow(m: MergedLayer, resolved: ResolvedLayer, keepFromWidth: boolean): Row {
  const width = layerWidth(m.layer);
  const row: StackLayer = {
    kind: 'layer',
    layer: m.layer,
    status: m.status,
    outShape: resolved.outShape,
    poolsGlobally: resolved.poolsGlobally,
    ...(width !== undefined ? { width } : {}),
    ...(keepFromWidth && m.fromWidth !== undefined ? { fromWidth: m.fromWidth } : {}),
  };
  return { row, ...(m.blockId !== undefined ? { blockId: m.blockId } : {}) };
}

function blockFrom(id: string, layers: StackLayer[], resolved: ResolvedArchitecture, status: RowStatus): StackBlock {
  const skip = resolved.skips.find((s) => s.skip.id === id);
  return { kind: 'block', id, status, layers, outShape: skip ? skip.outShape : layers[layers.length - 1].outShape, shortcut: shortcutLabel(resolved, id) };
}

function assemble(
  arch: Architecture,
  resolved: ResolvedArchitecture,
  rows: Row[],
  block: (id: string, layers: StackLayer[]) => StackBlock,
  ghost: RowStatus | undefined,
): StackModel {
  let maxConvWidth = 1;
  let maxDenseUnits = 1;
  for (const { row } of rows) {
    const largest = Math.max(row.width ?? 0, row.fromWidth ?? 0);
    if (row.layer.kind === 'conv') maxConvWidth = Math.max(maxConvWidth, largest);
    if (row.layer.kind === 'dense') maxDenseUnits = Math.max(maxDenseUnits, largest);
  }
  const items = groupItems(rows, block);

  // Stem: the leading layers up to the first pool, unless a block comes first.
  const firstPool = items.findIndex((item) => isPool(item));
  const firstBlock = items.findIndex((item) => item.kind === 'block');
  const firstDense = items.findIndex((item) => isDense(item));
  let stemEnd: number;
  if (firstPool >= 0 && (firstBlock < 0 || firstPool < firstBlock) && (firstDense < 0 || firstPool < firstDense)) stemEnd = firstPool + 1;
  else stemEnd = firstBlock >= 0 ? firstBlock : firstDense >= 0 ? firstDense : items.length;
  // Head: the trailing pools and dense layers after the last conv or block (and after the stem).
  let headStart = items.length;
  while (headStart > stemEnd && (isPool(items[headStart - 1]) || isDense(items[headStart - 1]))) headStart--;
  stemEnd = Math.min(stemEnd, headStart);

  const sections: StackSection[] = [];
  const stem = items.slice(0, stemEnd);
  if (stem.length) sections.push({ kind: 'stem', title: 'Stem', resolution: resolution(itemShape(stem[0])), items: stem, blocks: 0 });
  let stage: StackSection | undefined;
  let stageKey = '';
  let afterPool = false;
  let stageCount = 0;
  for (const item of items.slice(stemEnd, headStart)) {
    const key = resolution(itemShape(item));
    if (!stage || (afterPool && !isPool(item)) || (!isPool(item) && key !== stageKey)) {
      stage = { kind: 'stage', title: `Stage ${++stageCount}`, resolution: key, items: [], blocks: 0 };
      sections.push(stage);
      stageKey = key;
      afterPool = false;
    }
    stage.items.push(item);
    if (isPool(item)) afterPool = true;
  }
  sections.push({ kind: 'head', title: 'Head', items: items.slice(headStart), blocks: 0 });
  numberStagesAsTheSearch(arch, sections);
  for (const section of sections) section.blocks = section.items.filter((i) => i.kind === 'block' && i.status !== ghost).length;

  return {
    input: [arch.input.height, arch.input.width, arch.input.channels],
    numClasses: arch.numClasses,
    sections,
    maxConvWidth,
    maxDenseUnits,
    blockCount: arch.skips.length,
    headInShape: resolved.headInShape,
  };
}

/**
 * Stage numbers as the search counts them (the stages an insertion draws from, which its
 * decision text names), so a block's stage number matches its decision and does not shift
 * when blocks come or go. Where one search stage spans several resolutions, each resolution
 * keeps a section of its own under the same number.
 */
function numberStagesAsTheSearch(arch: Architecture, sections: StackSection[]): void {
  const stageOf = new Map(stagesOf(arch).flatMap((stage) => stage.layerIds.map((id) => [id, stage.index] as const)));
  const firstLayerId = (item: StackItem): string => (item.kind === 'block' ? item.layers[0].layer.id : item.layer.id);
  // A removed (ghost) row is not in `arch`: it belongs to the stage of the row before it.
  let current = 0;
  for (const section of sections) {
    let number: number | undefined;
    for (const item of section.items) {
      const index = stageOf.get(firstLayerId(item));
      if (index !== undefined) current = index;
      number ??= current;
    }
    if (section.kind === 'stage') section.title = `Stage ${(number ?? current) + 1}`;
  }
}

/**
 * The stack of `arch`. With `previous`, the stack shows the change from it in place: added and
 * resized rows marked, removed rows kept (ghosted) where they were.
 */
export function layoutStack(arch: Architecture, previous?: Architecture): StackModel {
  const after = resolveArchitecture(arch);
  const before = previous ? resolveArchitecture(previous) : undefined;
  const rows = mergeLayers(previous ?? arch, arch).map((m) =>
    makeRow(m, m.afterIndex !== undefined ? after.layers[m.afterIndex] : before!.layers[m.beforeIndex!], true),
  );
  const afterSkipIds = new Set(arch.skips.map((s) => s.id));
  const beforeSkipIds = new Set((previous?.skips ?? []).map((s) => s.id));
  return assemble(arch, after, rows, (id, layers) => {
    const inAfter = afterSkipIds.has(id);
    let status: RowStatus = 'same';
    if (previous && !beforeSkipIds.has(id)) status = 'added';
    else if (!inAfter) status = 'removed';
    else if (layers.some((l) => l.status !== 'same')) status = 'resized';
    return blockFrom(id, layers, inAfter ? after : before!, status);
  }, 'removed');
}

/**
 * One column of a side-by-side comparison: only the layers of `arch`, marked against `other`.
 * The left column marks what the right one lacks as removed; the right column marks what is
 * new as added and shows resized widths as old → new.
 */
export function layoutSide(arch: Architecture, other: Architecture, side: 'left' | 'right'): StackModel {
  const resolved = resolveArchitecture(arch);
  const merged = side === 'right' ? mergeLayers(other, arch) : mergeLayers(arch, other);
  const rows = merged
    .filter((m) => (side === 'right' ? m.afterIndex !== undefined : m.beforeIndex !== undefined))
    // A merged row carries the newer side's layer; the left column must show its own.
    .map((m) => (side === 'right' ? makeRow(m, resolved.layers[m.afterIndex!], true) : makeRow({ ...m, layer: arch.layers[m.beforeIndex!] }, resolved.layers[m.beforeIndex!], false)));
  const otherSkipIds = new Set(other.skips.map((s) => s.id));
  return assemble(arch, resolved, rows, (id, layers) => {
    let status: RowStatus = 'same';
    if (!otherSkipIds.has(id)) status = side === 'right' ? 'added' : 'removed';
    else if (layers.some((l) => l.status !== 'same')) status = 'resized';
    return blockFrom(id, layers, resolved, status);
  }, undefined);
}
