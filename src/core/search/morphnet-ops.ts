/**
 * The ops MorphNet's FLOP regularizer sums over (docs/algorithm.md, "The MorphNet term") and the cost it measures,
 * `F = Σ coeff · A_in · A_out`, with `coeff = 2·H_out·W_out·k²` for a conv (1×1 shortcut
 * projections included) and 2 for a dense MatMul (the classifier included unless excluded,
 * docs/algorithm.md, "The MorphNet term"). The A's are grouped alive counts: an op's A_out counts the alive channels of its
 * output group among the op's own channels; its A_in is the A_out of the group member as wide as
 * its grouped input, plus the input channels outside any group (see channel-groups.ts).
 */
import type { Architecture } from '../arch/types';
import { ArchitectureError } from '../arch/resolve';
import { channelGroups, type ChannelGroups, type GroupedOp } from './channel-groups';

export interface MorphnetOp extends GroupedOp {
  coeff: number;
}

export interface MorphnetOpsOptions {
  /** Leave the softmax classifier out of the regularizer and the cost (docs/algorithm.md, "The MorphNet term"). */
  excludeClassifier: boolean;
}

export function opsOf(groups: ChannelGroups, opts: MorphnetOpsOptions): MorphnetOp[] {
  const ops: MorphnetOp[] = [];
  for (const op of groups.ops.values()) {
    if (opts.excludeClassifier && op.kind === 'classifier') continue;
    const spatial = op.kind === 'conv' || op.kind === 'projection' ? op.outHeight * op.outWidth * op.kernel * op.kernel : 1;
    ops.push({ ...op, coeff: 2 * spatial });
  }
  return ops;
}

export function morphnetOps(arch: Architecture, opts: MorphnetOpsOptions): MorphnetOp[] {
  return opsOf(channelGroups(arch), opts);
}

/**
 * Per op, the number of alive channels among its own outputs, given each group's alive mask
 * (indexed by channel; truthy = alive). Ops of groups without a mask are left out.
 */
export function groupAliveCounts(groups: ChannelGroups, aliveMasks: ReadonlyMap<string, ArrayLike<number | boolean>>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const op of groups.ops.values()) {
    const mask = aliveMasks.get(op.outGroup);
    if (!mask) continue;
    if (mask.length < op.width) {
      throw new ArchitectureError(`Alive mask of group "${op.outGroup}" has ${mask.length} channels; op "${op.id}" needs ${op.width}.`, op.id);
    }
    let alive = 0;
    for (let c = 0; c < op.width; c++) if (mask[c]) alive++;
    counts.set(op.id, alive);
  }
  return counts;
}

function countOf(alive: ReadonlyMap<string, number>, id: string, role: string): number {
  const value = alive.get(id);
  if (value === undefined) {
    throw new ArchitectureError(`No alive count for "${id}" (needed as ${role}); pass one for every conv, projection, dense and classifier op.`, id);
  }
  return value;
}

/** The MorphNet cost F of a list of ops given each op's alive output count. */
export function opsAliveFlops(ops: readonly MorphnetOp[], aliveByOp: ReadonlyMap<string, number>): number {
  let flops = 0;
  for (const op of ops) {
    const aIn = (op.inSource === null ? 0 : countOf(aliveByOp, op.inSource, `the input of "${op.id}"`)) + op.inPadding;
    flops += op.coeff * aIn * countOf(aliveByOp, op.id, 'an op output');
  }
  return flops;
}

/**
 * The MorphNet cost F of a network given each op's grouped alive output count (e.g. the
 * regularizer's `aliveCounts()`). With every channel alive it equals `countFlops`.
 */
export function aliveFlops(arch: Architecture, aliveByLayer: ReadonlyMap<string, number>, opts: MorphnetOpsOptions = { excludeClassifier: false }): number {
  return opsAliveFlops(morphnetOps(arch, opts), aliveByLayer);
}

/** Every op's width as its alive count: the cost of the network with no channel pruned. */
export function allAliveCounts(groups: ChannelGroups): Map<string, number> {
  return new Map([...groups.ops.values()].map((op) => [op.id, op.width]));
}

/** The MorphNet cost with every channel alive. */
export function fullMorphnetFlops(arch: Architecture, opts: MorphnetOpsOptions = { excludeClassifier: false }): number {
  const groups = channelGroups(arch);
  return opsAliveFlops(opsOf(groups, opts), allAliveCounts(groups));
}
