/**
 * MorphNet's FLOP-weighted group LASSO (docs/algorithm.md, "The MorphNet term") in TF.js:
 *   R = Σ_ops coeff · (A_in·S_out + A_out·S_in)
 * where S is the sum of a group's channel magnitudes R_G and A its alive count (R_G > θ), both
 * over the op's own channels. The A's are constants (no gradient), as in MorphNet.
 *
 * A channel's magnitude comes from the tensor the caller maps to the op's id:
 * - a conv kernel [k,k,Cin,Cout] → RMS over (k,k,Cin), a dense kernel [in,out] → RMS over in
 *   (reference style, MorphNet's group-LASSO regularizer with l1_fraction 0);
 * - a BN γ [C] → |γ| (standard style, MorphNet's gamma regularizer).
 * A group's magnitude is the elementwise max over its members, each zero-padded to the group's
 * length (channels are aligned by index, docs/algorithm.md, "The MorphNet term").
 */
import * as tf from '@tensorflow/tfjs';
import type { ChannelGroups } from '../../core/search/channel-groups';
import { groupAliveCounts, opsAliveFlops, type MorphnetOp } from '../../core/search/morphnet-ops';

export interface MorphnetRegularizer {
  /** The regularizer value R (multiply by λ before adding it to the loss). */
  loss: tf.Scalar;
  /** Grouped alive output count of every op of the regularized groups, by op id. */
  aliveCounts(): Map<string, number>;
  /** The MorphNet cost F = Σ coeff · A_in · A_out of the alive channels. */
  aliveFlops(): number;
  /**
   * Frees the alive masks kept for the two readers above. Reading either one also frees them
   * (the values are cached), so this is only needed when neither is read. Idempotent.
   */
  dispose(): void;
}

/** RMS over every axis but the last; the gradient is 0 (not NaN) for an all-zero channel, e.g. a zero-initialized conv. */
const channelRms = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const w = args[0] as tf.Tensor;
  const save = args[1] as tf.GradSaveFunc;
  const axes = w.shape.slice(0, -1).map((_, i) => i);
  const count = w.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const r = tf.sqrt(tf.mean(tf.square(w), axes));
  save([w, r]);
  return {
    value: r,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [x, rms] = saved;
      // d r_c / d w_ic = w_ic / (n · r_c); where r_c = 0 every w_ic is 0 too, so the guard only avoids 0/0.
      return tf.mul(dy, tf.div(x, tf.mul(tf.maximum(rms, 1e-30), count)));
    },
  };
});

/**
 * |γ| with TF's subgradient sign(γ), which is 0 at γ = 0 (TF.js's own Abs gradient is −1 there):
 * a block inserted with its last γ at 0 (standard style) is not pushed off zero by the regularizer.
 */
const channelAbs = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const gamma = args[0] as tf.Tensor;
  const save = args[1] as tf.GradSaveFunc;
  save([gamma]);
  return { value: tf.abs(gamma), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.sign(saved[0])) };
});

/** 1 where x > θ, else 0; a constant for differentiation (MorphNet's A counts carry no gradient). */
function aliveMask(x: tf.Tensor1D, threshold: number): tf.Tensor1D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    return { value: tf.cast(tf.greater(input, threshold), 'float32'), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
  });
  return f(x) as tf.Tensor1D;
}

/** Per-output-channel magnitude of one op (see the module comment). */
export function channelMagnitude(source: tf.Tensor, opId: string, width: number): tf.Tensor1D {
  const shape = source.shape;
  if ((shape.length !== 1 && shape.length !== 2 && shape.length !== 4) || shape[shape.length - 1] !== width) {
    throw new Error(
      `MorphNet: the source tensor of "${opId}" has shape [${shape.join(',')}]; expected a conv kernel [k,k,in,${width}], a dense kernel [in,${width}] or a BN gamma [${width}].`,
    );
  }
  // Stryker disable next-line ConditionalExpression: the RMS over no axes of a γ vector is |γ| with gradient γ/|γ| (0 at 0), which is channelAbs.
  if (shape.length === 1) return channelAbs(source) as tf.Tensor1D;
  return channelRms(source) as tf.Tensor1D;
}

export function morphnetRegularizer(
  ops: readonly MorphnetOp[],
  groups: ChannelGroups,
  sources: ReadonlyMap<string, tf.Tensor>,
  threshold: number,
): MorphnetRegularizer {
  if (!(threshold >= 0) || !Number.isFinite(threshold)) throw new RangeError(`MorphNet: the alive threshold must be a finite non-negative number, got ${threshold}.`);
  const used = new Set<string>();
  for (const op of ops) {
    used.add(op.outGroup);
    if (op.inGroup !== null) used.add(op.inGroup);
  }
  const groupIds = [...used];
  const offsets = new Map<string, number>();
  let kept: tf.Tensor1D | null = null;

  const loss = tf.tidy(() => {
    const magnitude = new Map<string, tf.Tensor1D>();
    const alive = new Map<string, tf.Tensor1D>();
    let offset = 0;
    for (const gid of groupIds) {
      const group = groups.groups.get(gid);
      if (!group) throw new Error(`MorphNet: op list refers to channel group "${gid}", which the channel groups do not have; build both from the same architecture.`);
      let r: tf.Tensor1D | null = null;
      for (const member of group.members) {
        const op = groups.ops.get(member)!;
        const source = sources.get(member);
        if (!source) throw new Error(`MorphNet: no source tensor for "${member}" (channel group "${gid}"); map every conv, projection, dense and classifier op id to its kernel or BN gamma.`);
        let m = channelMagnitude(source, member, op.width);
        // Stryker disable next-line ConditionalExpression,EqualityOperator: padding by group.size − op.width = 0 is the identity.
        if (op.width < group.size) m = tf.pad(m, [[0, group.size - op.width]]) as tf.Tensor1D;
        r = r === null ? m : (tf.maximum(r, m) as tf.Tensor1D);
      }
      magnitude.set(gid, r!);
      alive.set(gid, aliveMask(r!, threshold));
      offsets.set(gid, offset);
      offset += group.size;
    }
    kept = tf.keep((groupIds.length > 0 ? tf.concat([...alive.values()]) : tf.zeros([0])) as tf.Tensor1D);

    const cache = new Map<string, tf.Scalar>();
    const prefixSum = (kind: 'S' | 'A', gid: string, prefix: number): tf.Scalar => {
      const key = `${kind}/${gid}/${prefix}`;
      const cached = cache.get(key);
      // Stryker disable next-line ConditionalExpression: the cache only spares recomputing the same sum inside the same tidy.
      if (cached) return cached;
      const vector = (kind === 'S' ? magnitude : alive).get(gid)!;
      const value = tf.sum(prefix === vector.shape[0] ? vector : tf.slice(vector, 0, prefix)) as tf.Scalar;
      cache.set(key, value);
      return value;
    };
    const terms: tf.Scalar[] = [];
    for (const op of ops) {
      const sOut = prefixSum('S', op.outGroup, op.width);
      // Stryker disable next-line StringLiteral: every kind but 'S' reads the alive vector, under a cache key of its own.
      const aOut = prefixSum('A', op.outGroup, op.width);
      // Ungrouped input channels (image, zero padding) are always alive and have no magnitude.
      let aIn: tf.Scalar = tf.scalar(op.inPadding);
      let sIn: tf.Scalar | null = null;
      // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: the groups give a null inGroup only with 0 grouped input channels, and 0 grouped channels add 0 to A_in and S_in.
      if (op.inGroup !== null && op.inChannels > 0) {
        // Stryker disable next-line StringLiteral: every kind but 'S' reads the alive vector, under a cache key of its own.
        aIn = tf.add(aIn, prefixSum('A', op.inGroup, op.inChannels));
        sIn = prefixSum('S', op.inGroup, op.inChannels);
      }
      let term: tf.Scalar = tf.mul(aIn, sOut);
      if (sIn !== null) term = tf.add(term, tf.mul(aOut, sIn));
      terms.push(tf.mul(term, op.coeff));
    }
    return terms.length > 0 ? (tf.addN(terms) as tf.Scalar) : tf.scalar(0);
  });

  let counts: Map<string, number> | null = null;
  const read = (): Map<string, number> => {
    if (counts) return counts;
    if (!kept) throw new Error('MorphNet: the alive masks were disposed before they were read.');
    const data = kept.dataSync();
    const masks = new Map<string, Float32Array>();
    for (const gid of groupIds) {
      const start = offsets.get(gid)!;
      masks.set(gid, data.subarray(start, start + groups.groups.get(gid)!.size) as Float32Array);
    }
    counts = groupAliveCounts(groups, masks);
    kept.dispose();
    kept = null;
    return counts;
  };
  return {
    loss,
    aliveCounts: () => new Map(read()),
    aliveFlops: () => opsAliveFlops(ops, read()),
    dispose: () => {
      kept?.dispose();
      kept = null;
    },
  };
}
