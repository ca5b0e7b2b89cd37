/**
 * Resolution stages and legal insertion slots (docs/algorithm.md, "Random in: insertion"). An insertion first draws a
 * stage uniformly, then a slot in it uniformly, so a stage with few slots is as likely as one
 * with many: this is what spreads new blocks over all resolutions.
 */
import type { Architecture } from '../arch/types';
import { resolveArchitecture } from '../arch/resolve';

export interface Stage {
  /** 0-based position among the stages. */
  index: number;
  /** The non-dense layers of the stage, in network order. */
  layerIds: string[];
  /** The legal slots of the stage: a new block goes directly after one of these layers. */
  slots: string[];
}

/**
 * Partitions the non-dense layers into stages.
 *
 * The reference rule: stage 0 holds the layers before the first pool; every pool layer opens a
 * new stage holding the pool and the layers after it.
 *
 * Generalisation for networks without any pool layer (e.g. ResNet-20, which downsamples with
 * stride-2 convs): there, a block whose first conv has a stride above 1 opens a new stage. The
 * rule is not applied when the network has pools, so nets that follow the reference layout
 * (ResNet18: {stem}, {max pool + 8 blocks}, {avg pool}) keep exactly the reference's stages and
 * draw probabilities; applying it there too would split ResNet18's middle stage into four and
 * change which positions the search favours.
 */
export function stagesOf(arch: Architecture): Stage[] {
  const { layers } = resolveArchitecture(arch);
  const hasPools = arch.layers.some((l) => l.kind === 'pool');
  const blockStarts = new Set(arch.skips.map((s) => s.from));
  const slotIds = new Set(legalSlotIds(arch));
  const stages: Stage[] = [];
  let current: Stage | null = null;
  for (const { layer } of layers) {
    if (layer.kind === 'dense') continue;
    const opensStage =
      layer.kind === 'pool' || (!hasPools && layer.kind === 'conv' && layer.stride > 1 && blockStarts.has(layer.id));
    if (current === null || opensStage) {
      // Stage 0 exists even when it has no layers only if the first layer does not open a stage.
      current = { index: stages.length, layerIds: [], slots: [] };
      stages.push(current);
    }
    current.layerIds.push(layer.id);
    if (slotIds.has(layer.id)) current.slots.push(layer.id);
  }
  return stages;
}

/**
 * The legal slots in network order: the first layer of the network, every pool layer, and the
 * last (`to`) layer of every block, where a slot strictly inside a block (which would nest a new
 * block into it) is never legal. This is the filter the reference code intends; its in-place
 * list filtering can let such a slot through (docs/algorithm.md, "Random in: insertion").
 */
function legalSlotIds(arch: Architecture): string[] {
  const insideBlock = new Set<string>();
  const index = new Map(arch.layers.map((l, i) => [l.id, i]));
  for (const skip of arch.skips) {
    for (let i = index.get(skip.from)!; i < index.get(skip.to)!; i++) insideBlock.add(arch.layers[i].id);
  }
  const blockEnds = new Set(arch.skips.map((s) => s.to));
  return arch.layers
    .filter((layer, i) => layer.kind !== 'dense' && (i === 0 || layer.kind === 'pool' || blockEnds.has(layer.id)) && !insideBlock.has(layer.id))
    .map((l) => l.id);
}

/** The stages with their legal slots; stages without any slot are left out (they cannot be drawn). */
export function legalSlots(arch: Architecture): Stage[] {
  return stagesOf(arch)
    .filter((s) => s.slots.length > 0)
    .map((s, index) => ({ ...s, index }));
}
