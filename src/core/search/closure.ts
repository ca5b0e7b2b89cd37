/**
 * Block closure (docs/algorithm.md, "Whole blocks go"): a block only exists as a whole, so removing any layer inside a
 * skip's span removes the skip and every layer of the span. Shared by DELETE and MORPH.
 */
import type { Architecture } from '../arch/types';
import { ArchitectureError, resolveArchitecture } from '../arch/resolve';

export interface Removal {
  arch: Architecture;
  /** In network order. */
  removedLayerIds: string[];
  /** In the order of the architecture's skips. */
  removedBlockIds: string[];
}

export function removeWithBlocks(arch: Architecture, marked: Iterable<string>): Removal {
  const index = new Map(arch.layers.map((l, i) => [l.id, i]));
  const remove = new Set<string>();
  for (const id of marked) {
    if (!index.has(id)) throw new ArchitectureError(`Cannot remove layer "${id}": the architecture has no such layer.`, id);
    remove.add(id);
  }
  const removedBlockIds: string[] = [];
  for (const skip of arch.skips) {
    const from = index.get(skip.from)!;
    const to = index.get(skip.to)!;
    const span = arch.layers.slice(from, to + 1).map((l) => l.id);
    if (span.some((id) => remove.has(id))) {
      removedBlockIds.push(skip.id);
      for (const id of span) remove.add(id);
    }
  }
  const removedBlocks = new Set(removedBlockIds);
  const next: Architecture = {
    ...arch,
    layers: arch.layers.filter((l) => !remove.has(l.id)),
    skips: arch.skips.filter((s) => !removedBlocks.has(s.id)),
  };
  if (next.layers.length === 0) throw new ArchitectureError('Removing these layers would leave an empty network.');
  // A removal must never leave a graph the model builder cannot build; fail here, naming the layer.
  resolveArchitecture(next);
  return { arch: next, removedLayerIds: arch.layers.filter((l) => remove.has(l.id)).map((l) => l.id), removedBlockIds };
}
