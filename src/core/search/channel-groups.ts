/**
 * MorphNet's channel grouping (docs/algorithm.md, "The MorphNet term"): channel i of every op whose output reaches the same
 * residual add is one group, because the add ties them together; the group's magnitude is the
 * elementwise max of its members' and it lives or dies as a whole. Grouping is a union-find over
 * the ops (conv layers, shortcut projections, dense layers, the classifier) whose outputs are
 * added, transitively along the residual stream. Zero-padding aligns channels by index, so a
 * group's channel vector is as long as its widest member and a narrower member only covers its
 * first channels.
 *
 * What passes groups through unchanged: BN, bias, ReLU, pools, global average pooling, the add.
 * What starts a new stream: every conv and dense op (its own output), and a shortcut projection
 * (its input is the old stream, its output is added to the block output and joins that group).
 *
 * Channels that belong to no group (the image, and the zero channels padded onto a shortcut
 * before a projection) carry no regularizer: they count as alive and contribute nothing to the
 * group-LASSO sums, as MorphNet treats the image input (A_in = channels, S_in = 0). This keeps
 * the "every channel alive" cost equal to `countFlops` (src/core/arch/cost.ts).
 */
import type { Architecture } from '../arch/types';
import { ArchitectureError, resolveArchitecture } from '../arch/resolve';

/** Op id of the softmax classifier that ends every network (same name as the cost breakdown). */
export const CLASSIFIER_ID = 'classifier';

/** Op id of the 1×1 shortcut conv of a block (same name as the cost breakdown). */
export function projectionId(skipId: string): string {
  return `${skipId}.proj`;
}

export type GroupedOpKind = 'conv' | 'projection' | 'dense' | 'classifier';

export interface GroupedOp {
  id: string;
  kind: GroupedOpKind;
  /** Output channels of the op (its channel c is channel c of `outGroup`). */
  width: number;
  outGroup: string;
  /** Group producing the op's input; null when the input holds no grouped channels (the image). */
  inGroup: string | null;
  /**
   * The member of `inGroup` as wide as the grouped part of the input: its alive count is the op's
   * alive input count (besides `inPadding`). Null with `inGroup`.
   */
  inSource: string | null;
  /** Input channels that belong to `inGroup` (the first ones). */
  inChannels: number;
  /** Further input channels outside any group (image channels, zero padding): always alive, no magnitude. */
  inPadding: number;
  /** Spatial size of the op's output and its (square) kernel size; 1/1/1 for dense ops. */
  outHeight: number;
  outWidth: number;
  kernel: number;
  /** The block (skip id) the op belongs to, if any. */
  blockId?: string;
}

export interface ChannelGroup {
  /** The id of the group's first member in network order. */
  id: string;
  /** Op ids in network order. */
  members: string[];
  /** Length of the group's channel vector: the widest member's width. */
  size: number;
}

export interface ChannelGroups {
  groups: Map<string, ChannelGroup>;
  /** Every conv, projection, dense and classifier op, in network order. */
  ops: Map<string, GroupedOp>;
}

/** Where an op's output channel lives: group id and index in the group's channel vector. */
export function groupOfChannel(groups: ChannelGroups, opId: string, channel: number): { group: string; index: number } {
  const op = groups.ops.get(opId);
  if (!op) throw new ArchitectureError(`Channel groups: no conv or dense op "${opId}".`, opId);
  if (!Number.isInteger(channel) || channel < 0 || channel >= op.width) {
    throw new ArchitectureError(`Channel groups: op "${opId}" has ${op.width} output channels; channel ${channel} does not exist.`, opId);
  }
  return { group: op.outGroup, index: channel };
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  add(x: string): void {
    if (!this.parent.has(x)) this.parent.set(x, x);
  }
  find(x: string): string {
    let root = x;
    while (this.parent.get(root) !== root) root = this.parent.get(root)!;
    let node = x;
    while (node !== root) {
      const next = this.parent.get(node)!;
      this.parent.set(node, root);
      node = next;
    }
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

/** The tensor flowing along the network at one point, as far as grouping is concerned. */
interface Stream {
  /** Any op of the group producing the grouped channels; null for none. */
  member: string | null;
  /** The op as wide as the grouped channels. */
  source: string | null;
  /** Grouped channels (the first ones). */
  grouped: number;
  /** Ungrouped channels after them. */
  padding: number;
}

function channelsOf(stream: Stream): number {
  return stream.grouped + stream.padding;
}

export function channelGroups(arch: Architecture): ChannelGroups {
  const resolved = resolveArchitecture(arch);
  const uf = new UnionFind();
  const ops: GroupedOp[] = [];
  const layerIds = new Set(arch.layers.map((l) => l.id));
  const reserve = (id: string, what: string): void => {
    if (layerIds.has(id)) {
      throw new ArchitectureError(`Layer id "${id}" is reserved for the ${what}; rename the layer in the architecture.`, id);
    }
  };
  reserve(CLASSIFIER_ID, 'classifier');

  const addOp = (op: Omit<GroupedOp, 'outGroup' | 'inGroup' | 'inSource' | 'inChannels' | 'inPadding'>, input: Stream, expectedIn: number): Stream => {
    if (channelsOf(input) !== expectedIn) {
      throw new ArchitectureError(`Channel groups: op "${op.id}" sees ${expectedIn} input channels but the stream carries ${channelsOf(input)}.`, op.id);
    }
    uf.add(op.id);
    ops.push({ ...op, outGroup: op.id, inGroup: input.member, inSource: input.source, inChannels: input.grouped, inPadding: input.padding });
    return { member: op.id, source: op.id, grouped: op.width, padding: 0 };
  };

  let stream: Stream = { member: null, source: null, grouped: 0, padding: arch.input.channels };
  const shortcutAt = new Map<string, Stream>();
  const skipEndingAt = new Map(resolved.skips.map((s) => [s.toIndex, s]));
  const skipStartingAt = new Map(resolved.skips.map((s) => [s.fromIndex, s]));

  for (const r of resolved.layers) {
    const { layer, outShape, inShape } = r;
    const starting = skipStartingAt.get(r.index);
    if (starting) shortcutAt.set(starting.skip.id, stream);
    if (layer.kind === 'conv') {
      stream = addOp({ id: layer.id, kind: 'conv', width: layer.width, outHeight: outShape[0], outWidth: outShape[1], kernel: layer.kernel, blockId: r.blockId }, stream, inShape[2]);
    } else if (layer.kind === 'dense') {
      stream = addOp({ id: layer.id, kind: 'dense', width: layer.units, outHeight: 1, outWidth: 1, kernel: 1 }, stream, inShape[2]);
    }
    const ending = skipEndingAt.get(r.index);
    if (!ending) continue;
    const main = stream;
    const shortcut = shortcutAt.get(ending.skip.id)!;
    const projection = ending.adapter.projection;
    if (projection) {
      const id = projectionId(ending.skip.id);
      reserve(id, `shortcut projection of block "${ending.skip.id}"`);
      // The projection sees the shortcut after its zero padding; the padded channels are constants.
      const padded: Stream = { ...shortcut, padding: shortcut.padding + ending.adapter.padShortcut };
      const projected = addOp(
        { id, kind: 'projection', width: projection.outChannels, outHeight: ending.outShape[0], outWidth: ending.outShape[1], kernel: 1, blockId: ending.skip.id },
        padded,
        projection.inChannels,
      );
      uf.union(main.member!, id);
      const wider = projected.grouped >= main.grouped ? projected : main;
      stream = { member: main.member, source: wider.source, grouped: wider.grouped, padding: 0 };
    } else {
      if (shortcut.member) uf.union(main.member!, shortcut.member);
      const total = Math.max(channelsOf(shortcut), main.grouped);
      const mainWider = main.grouped >= shortcut.grouped;
      const grouped = mainWider ? main.grouped : shortcut.grouped;
      stream = { member: main.member, source: mainWider ? main.source : shortcut.source, grouped, padding: total - grouped };
    }
    if (channelsOf(stream) !== ending.outShape[2]) {
      throw new ArchitectureError(`Channel groups: block "${ending.skip.id}" outputs ${ending.outShape[2]} channels but the stream carries ${channelsOf(stream)}.`, ending.skip.id);
    }
  }
  addOp({ id: CLASSIFIER_ID, kind: 'classifier', width: arch.numClasses, outHeight: 1, outWidth: 1, kernel: 1 }, stream, resolved.headInShape[2]);

  // Name each group after its first member in network order, so ids are stable and readable.
  const groupIdOfRoot = new Map<string, string>();
  const groups = new Map<string, ChannelGroup>();
  for (const op of ops) {
    const root = uf.find(op.id);
    let gid = groupIdOfRoot.get(root);
    if (gid === undefined) {
      gid = op.id;
      groupIdOfRoot.set(root, gid);
      groups.set(gid, { id: gid, members: [], size: 0 });
    }
    const group = groups.get(gid)!;
    group.members.push(op.id);
    group.size = Math.max(group.size, op.width);
  }
  const groupOf = (member: string | null): string | null => (member === null ? null : groupIdOfRoot.get(uf.find(member))!);
  const finalOps = new Map<string, GroupedOp>();
  for (const op of ops) {
    finalOps.set(op.id, { ...op, outGroup: groupOf(op.id)!, inGroup: groupOf(op.inGroup) });
  }
  return { groups, ops: finalOps };
}
