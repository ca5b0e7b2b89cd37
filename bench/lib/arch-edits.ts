/**
 * Hand-made edits of an architecture graph for benchmarks and tests (the search makes its own
 * in src/core/search). Each returns a new, validated graph and leaves its argument untouched.
 */
import type { Architecture, ConvLayer, Layer } from '../../src/core/arch/types';
import { ArchitectureError, resolveArchitecture } from '../../src/core/arch/resolve';

/** Block (skip) id → the ids of the layers it spans, in order. */
function blocksOf(arch: Architecture): Map<string, string[]> {
  const index = new Map(arch.layers.map((l, i) => [l.id, i]));
  const blocks = new Map<string, string[]>();
  for (const skip of arch.skips) {
    const from = index.get(skip.from);
    const to = index.get(skip.to);
    if (from === undefined || to === undefined) throw new ArchitectureError(`Skip "${skip.id}" refers to a layer that does not exist.`, skip.id);
    blocks.set(skip.id, arch.layers.slice(from, to + 1).map((l) => l.id));
  }
  return blocks;
}

function checked(arch: Architecture): Architecture {
  resolveArchitecture(arch);
  return arch;
}

export interface InsertOptions {
  /** The search step recorded on the new convs. */
  insertedAt?: number;
  /** Square kernel of the new convs (3 in the reference code). */
  kernel?: number;
}

/**
 * Inserts a residual block of `convIds.length` stride-1 convs of `width` channels right after
 * `afterLayerId` (after its add, if it ends a block), with an identity-sized skip `blockId` from
 * the first to the last new conv. `afterLayerId` null inserts at the very start of the network.
 */
export function insertBlockAfter(
  arch: Architecture,
  afterLayerId: string | null,
  blockId: string,
  convIds: readonly string[],
  width: number,
  options: InsertOptions = {},
): Architecture {
  if (convIds.length === 0) throw new ArchitectureError(`Block "${blockId}" needs at least one conv id.`, blockId);
  const position = afterLayerId === null ? 0 : arch.layers.findIndex((l) => l.id === afterLayerId) + 1;
  if (position === 0 && afterLayerId !== null) throw new ArchitectureError(`Cannot insert block "${blockId}" after unknown layer "${afterLayerId}".`, afterLayerId);
  for (const [skipId, ids] of blocksOf(arch)) {
    const inside = ids.indexOf(afterLayerId ?? '');
    if (inside >= 0 && inside < ids.length - 1) {
      throw new ArchitectureError(`Cannot insert block "${blockId}" after "${afterLayerId}": that layer is inside block "${skipId}" (insert after "${ids[ids.length - 1]}" instead).`, afterLayerId ?? undefined);
    }
  }
  const newLayers: ConvLayer[] = convIds.map((id) => ({
    kind: 'conv',
    id,
    width,
    kernel: options.kernel ?? 3,
    stride: 1,
    origin: 'inserted',
    ...(options.insertedAt !== undefined ? { insertedAt: options.insertedAt } : {}),
  }));
  const layers: Layer[] = [...arch.layers.slice(0, position), ...newLayers, ...arch.layers.slice(position)];
  const skips = [...arch.skips, { id: blockId, from: convIds[0], to: convIds[convIds.length - 1] }];
  return checked({ ...arch, layers, skips });
}

/**
 * Removes layers and skips. A skip whose first or last layer is removed must be removed with it
 * (deleting a block removes its convs and its skip together, docs/algorithm.md, "Whole blocks go").
 */
export function removeLayers(arch: Architecture, layerIds: readonly string[], skipIds: readonly string[]): Architecture {
  const dropLayers = new Set(layerIds);
  const dropSkips = new Set(skipIds);
  for (const id of dropLayers) {
    if (!arch.layers.some((l) => l.id === id)) throw new ArchitectureError(`Cannot remove layer "${id}": no such layer.`, id);
  }
  for (const id of dropSkips) {
    if (!arch.skips.some((s) => s.id === id)) throw new ArchitectureError(`Cannot remove skip "${id}": no such skip.`, id);
  }
  for (const skip of arch.skips) {
    if (dropSkips.has(skip.id)) continue;
    if (dropLayers.has(skip.from) || dropLayers.has(skip.to)) {
      throw new ArchitectureError(`Removing "${dropLayers.has(skip.from) ? skip.from : skip.to}" would leave skip "${skip.id}" without an end; remove the skip too.`, skip.id);
    }
  }
  const layers = arch.layers.filter((l) => !dropLayers.has(l.id));
  if (layers.length === 0) throw new ArchitectureError('Cannot remove every layer; the network needs at least one.');
  return checked({ ...arch, layers, skips: arch.skips.filter((s) => !dropSkips.has(s.id)) });
}

/** Sets conv widths and dense units by layer id. */
export function withWidths(arch: Architecture, widths: ReadonlyMap<string, number>): Architecture {
  const known = new Set(arch.layers.map((l) => l.id));
  for (const [id, width] of widths) {
    if (!known.has(id)) throw new ArchitectureError(`Cannot set the width of "${id}": no such layer.`, id);
    if (!Number.isInteger(width) || width < 1) throw new ArchitectureError(`Width ${width} for "${id}" must be a whole number ≥ 1.`, id);
  }
  const layers = arch.layers.map((layer): Layer => {
    const width = widths.get(layer.id);
    if (width === undefined) return layer;
    switch (layer.kind) {
      case 'conv':
        return { ...layer, width };
      case 'dense':
        return { ...layer, units: width };
      case 'pool':
        throw new ArchitectureError(`Cannot set the width of pool layer "${layer.id}"; pools keep their input's channels.`, layer.id);
    }
  });
  return checked({ ...arch, layers });
}
