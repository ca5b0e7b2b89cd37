/**
 * MORPH (docs/algorithm.md, "Resizing: MorphNet shrink and expand"): MorphNet's shrink, then a partial uniform expansion.
 * - Shrink: C ← floor(s·A + (1−s)·C) per conv, A = the conv's grouped alive count.
 * - Expand: ω = sqrt(F_target / F); C ← floor(e·floor(ω·C) + (1−e)·C) for every conv, the stem
 *   included. F is the un-shrunk network's cost, given by the caller (the reference code's
 *   behaviour, docs/algorithm.md, "Expand"), or the shrunk network's own cost (`omegaFromShrunkNet`, canonical
 *   MorphNet). Dense widths never change.
 * - Clean-up: a conv at 0 channels is removed with its whole block (docs/algorithm.md, "Widths that reach zero"). What must not
 *   vanish is clamped to 1 channel instead (docs/algorithm.md, "Widths that reach zero"): a conv outside any block (the stem), and
 *   every conv sharing a channel group with one (the residual stream it feeds: its convs share
 *   one alive count, so letting it reach 0 would remove every block on it).
 *
 * Shortcut projections have no width of their own: they are derived from the block's shapes
 * (resolve.ts), so the resized graph stays consistent by construction; their alive counts only
 * matter through the group they share with the block output.
 */
import type { Architecture, ConvLayer } from '../arch/types';
import { ArchitectureError, resolveArchitecture } from '../arch/resolve';
import type { StructuralChange } from './change';
import { channelGroups } from './channel-groups';
import { removeWithBlocks } from './closure';
import { formatFlops, formatNumber as fmt } from '../format';
import { fullMorphnetFlops } from './morphnet-ops';

export type ResizeChange = Extract<StructuralChange, { kind: 'resize' }>;

export interface MorphInput {
  arch: Architecture;
  /** Grouped alive output count of every conv layer (e.g. the MorphNet regularizer's `aliveCounts()`). */
  alive: ReadonlyMap<string, number>;
  /** The cost F for ω when `omegaFromShrunkNet` is false: the un-shrunk network's MorphNet FLOPs. */
  flopsForOmega: number;
  targetFlops: number;
  shrinkIntensity: number;
  expandIntensity: number;
  omegaFromShrunkNet: boolean;
  /** Whether the classifier counts in the shrunk network's cost (`omegaFromShrunkNet` only); default false. */
  excludeClassifier?: boolean;
}

export interface MorphResult {
  arch: Architecture;
  omega: number;
  /** The F ω was computed from. */
  flops: number;
  change: ResizeChange;
}

/**
 * floor() that forgives the rounding error of the blend: 0.3·10 + 0.7·10 must give 10, not 9.
 * The tolerance is far below one channel, so it never changes a width that is not an integer.
 */
function floorWidth(x: number): number {
  return Math.floor(x + 1e-9 * Math.max(1, Math.abs(x)));
}

function checkIntensity(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new RangeError(`MORPH: ${name} must be in [0, 1], got ${value}.`);
}

/** Conv ids that must keep at least one channel: non-block convs and every conv grouped with one. */
function protectedConvs(arch: Architecture): Set<string> {
  const groups = channelGroups(arch);
  const protectedGroups = new Set<string>();
  for (const op of groups.ops.values()) if (op.kind === 'conv' && op.blockId === undefined) protectedGroups.add(op.outGroup);
  const result = new Set<string>();
  for (const op of groups.ops.values()) if (op.kind === 'conv' && protectedGroups.has(op.outGroup)) result.add(op.id);
  return result;
}

interface Pass {
  arch: Architecture;
  removedLayerIds: string[];
  removedBlockIds: string[];
  clamped: string[];
}

/** Applies new conv widths, clamps the protected convs to ≥ 1 and removes the zero-width ones with their blocks. */
function applyWidths(arch: Architecture, widths: ReadonlyMap<string, number>): Pass {
  const keep = protectedConvs(arch);
  const clamped: string[] = [];
  const zero: string[] = [];
  const layers = arch.layers.map((layer) => {
    if (layer.kind !== 'conv') return layer;
    let width = widths.get(layer.id)!;
    if (width < 1 && keep.has(layer.id)) {
      clamped.push(layer.id);
      width = 1;
    }
    if (width < 1) {
      zero.push(layer.id);
      return layer;
    }
    return { ...layer, width } satisfies ConvLayer;
  });
  const resized: Architecture = { ...arch, layers };
  if (zero.length === 0) {
    resolveArchitecture(resized);
    return { arch: resized, removedLayerIds: [], removedBlockIds: [], clamped };
  }
  const removal = removeWithBlocks(resized, zero);
  return { arch: removal.arch, removedLayerIds: removal.removedLayerIds, removedBlockIds: removal.removedBlockIds, clamped };
}


export function decideMorph(input: MorphInput): MorphResult {
  const { arch, alive, targetFlops, shrinkIntensity: s, expandIntensity: e } = input;
  checkIntensity('shrinkIntensity', s);
  checkIntensity('expandIntensity', e);
  if (!(targetFlops > 0)) throw new RangeError(`MORPH: targetFlops must be positive, got ${targetFlops}.`);

  const convs = arch.layers.filter((l): l is ConvLayer => l.kind === 'conv');
  const aliveRecord: Record<string, number> = {};
  for (const conv of convs) {
    const a = alive.get(conv.id);
    if (a === undefined) throw new ArchitectureError(`MORPH: no alive count for conv "${conv.id}"; the regularizer's aliveCounts() must cover every conv layer.`, conv.id);
    if (!Number.isInteger(a) || a < 0 || a > conv.width) {
      throw new ArchitectureError(`MORPH: alive count ${a} of conv "${conv.id}" must be an integer in [0, ${conv.width}] (its width).`, conv.id);
    }
    aliveRecord[conv.id] = a;
  }
  // Grouped counts give equally wide members of a group the same count; anything else means the
  // counts were not grouped, and the shrunk widths would tear the residual stream apart.
  const groups = channelGroups(arch);
  const seen = new Map<string, { id: string; width: number; alive: number }>();
  for (const conv of convs) {
    const group = groups.ops.get(conv.id)!.outGroup;
    const key = `${group}/${conv.width}`;
    const other = seen.get(key);
    if (other && other.alive !== aliveRecord[conv.id]) {
      throw new ArchitectureError(
        `MORPH: convs "${other.id}" and "${conv.id}" share channel group "${group}" and width ${conv.width} but have alive counts ${other.alive} and ${aliveRecord[conv.id]}; pass grouped alive counts.`,
        conv.id,
      );
    }
    seen.set(key, { id: conv.id, width: conv.width, alive: aliveRecord[conv.id] });
  }

  const shrunkWidths = new Map(convs.map((c) => [c.id, floorWidth(s * aliveRecord[c.id] + (1 - s) * c.width)]));
  const shrunk = applyWidths(arch, shrunkWidths);

  const flops = input.omegaFromShrunkNet ? fullMorphnetFlops(shrunk.arch, { excludeClassifier: input.excludeClassifier ?? false }) : input.flopsForOmega;
  if (!(flops > 0) || !Number.isFinite(flops)) throw new RangeError(`MORPH: the FLOPs ω is computed from must be positive and finite, got ${flops}.`);
  const omega = Math.sqrt(targetFlops / flops);

  const expandedWidths = new Map<string, number>();
  for (const layer of shrunk.arch.layers) {
    if (layer.kind === 'conv') expandedWidths.set(layer.id, floorWidth(e * Math.floor(omega * layer.width + 1e-9) + (1 - e) * layer.width));
  }
  const expanded = applyWidths(shrunk.arch, expandedWidths);

  const finalWidth = new Map(expanded.arch.layers.filter((l): l is ConvLayer => l.kind === 'conv').map((l) => [l.id, l.width]));
  const widths: Record<string, { from: number; to: number }> = {};
  for (const conv of convs) widths[conv.id] = { from: conv.width, to: finalWidth.get(conv.id) ?? 0 };
  const removedLayerIds = [...shrunk.removedLayerIds, ...expanded.removedLayerIds];
  const removedBlockIds = [...shrunk.removedBlockIds, ...expanded.removedBlockIds];
  const clamped = [...new Set([...shrunk.clamped, ...expanded.clamped])];
  const changed = convs.filter((c) => widths[c.id].to !== c.width).length;

  const reason =
    `MorphNet resize: widths shrunk towards the alive channel counts (intensity ${fmt(s)}), then expanded by ω = sqrt(${formatFlops(targetFlops)} / ${formatFlops(flops)}) = ${fmt(omega)} ` +
    `(F of the ${input.omegaFromShrunkNet ? 'shrunk' : 'un-shrunk'} network, intensity ${fmt(e)}); ${changed} of ${convs.length} convs changed width` +
    (removedBlockIds.length > 0 ? `; blocks ${removedBlockIds.map((b) => `"${b}"`).join(', ')} removed (a conv reached 0 channels)` : '') +
    (removedLayerIds.length > 0 && removedBlockIds.length === 0 ? `; layers ${removedLayerIds.map((l) => `"${l}"`).join(', ')} removed` : '') +
    (clamped.length > 0 ? `; kept at 1 channel instead of 0: ${clamped.map((c) => `"${c}"`).join(', ')} (outside any block or on the residual stream)` : '') +
    '.';
  return {
    arch: expanded.arch,
    omega,
    flops,
    change: { kind: 'resize', omega, alive: aliveRecord, widths, removedLayerIds, removedBlockIds, reason },
  };
}
