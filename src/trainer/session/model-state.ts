/**
 * The bridge between the architecture graph and the TF.js model during a run: building models
 * (with seeds from the run's init stream), rebuilding after a structural change with every
 * surviving layer's weights carried by id, and reading what the search's decisions need from
 * the weights (mean |W| of inserted convs, the MorphNet term and its alive counts).
 */
import * as tf from '@tensorflow/tfjs';
import type { SearchConfig } from '../../core/config/types';
import { channelGroups } from '../../core/search/channel-groups';
import { opsOf } from '../../core/search/morphnet-ops';
import type { Architecture } from '../../core/arch/types';
import { buildModel } from '../model/build';
import { layerVariables } from '../model/variables';
import { transferWeights, type TransferReport } from '../model/transfer';
import { morphnetRegularizer } from '../train/morphnet';
import type { LossTerm } from '../train/phase';
import type { RunContext } from './context';

export function buildFor(ctx: RunContext, arch: Architecture, zeroGammaLayers: string[]): tf.LayersModel {
  return buildModel(arch, { seed: ctx.rngs.init.int(2 ** 31), zeroGammaLayers, batchNormMomentum: ctx.config.training.batchNormMomentum });
}

/**
 * Builds the changed architecture and carries every weight whose layer survived (docs/algorithm.md, "Which weights carry over");
 * with `overlap`, also the common part of weights a resize changed (transfer.ts).
 */
export function rebuildKeepingWeights(ctx: RunContext, old: tf.LayersModel, arch: Architecture, zeroGammaLayers: string[], overlap = false): { model: tf.LayersModel; report: TransferReport } {
  const model = buildFor(ctx, arch, zeroGammaLayers);
  const report = transferWeights(old, model, { overlap });
  old.dispose();
  return { model, report };
}

/** Conv kernels under the L1/L2 penalty (docs/algorithm.md, "The loss": every conv but the 1×1 shortcut; L1 optionally only on inserted ones, docs/algorithm.md, "Where this project differs from the reference code"). */
export function penalizedKernels(model: tf.LayersModel, arch: Architecture, l1OnlyOnInserted: boolean): { l1: tf.LayerVariable[]; l2: tf.LayerVariable[] } {
  const vars = layerVariables(model, arch);
  const l1: tf.LayerVariable[] = [];
  const l2: tf.LayerVariable[] = [];
  for (const layer of arch.layers) {
    if (layer.kind !== 'conv') continue;
    const kernel = vars.get(layer.id)?.kernel;
    if (!kernel) continue;
    l2.push(kernel);
    if (!l1OnlyOnInserted || layer.origin === 'inserted') l1.push(kernel);
  }
  return { l1, l2 };
}

/** Mean absolute kernel weight of every inserted conv (docs/algorithm.md, "The deletion criterion"; biases excluded). */
export function meanAbsOfInserted(model: tf.LayersModel, arch: Architecture): Record<string, number> {
  const vars = layerVariables(model, arch);
  const out: Record<string, number> = {};
  for (const layer of arch.layers) {
    if (layer.kind !== 'conv' || layer.origin !== 'inserted') continue;
    const kernel = vars.get(layer.id)?.kernel;
    if (kernel) out[layer.id] = tf.tidy(() => tf.mean(tf.abs(kernel.read())).dataSync()[0]);
  }
  return out;
}

export interface MorphnetTerm extends LossTerm {
  figures(): { aliveFlops: number; regularizer: number };
  /** Grouped alive output channels per conv id (A of docs/algorithm.md, "Shrink"). */
  alive(): Record<string, number>;
}

/**
 * λ·R_MorphNet (docs/algorithm.md, "The MorphNet term"): for the reference style the group magnitudes are the RMS of conv and
 * dense kernels; for the standard style the BN γ after each conv (MorphNet's gamma
 * regularizer), and dense kernels as in the reference style.
 */
export function morphnetTerm(model: tf.LayersModel, arch: Architecture, search: SearchConfig): MorphnetTerm {
  const groups = channelGroups(arch);
  const ops = opsOf(groups, { excludeClassifier: search.excludeClassifierFromMorphnet });
  const vars = layerVariables(model, arch);
  const useGamma = arch.blockStyle === 'standard';
  const sources = (): Map<string, tf.Tensor> => {
    const map = new Map<string, tf.Tensor>();
    for (const op of ops) {
      const v = vars.get(op.id);
      if (!v) continue;
      const gammaSource = useGamma && (op.kind === 'conv' || op.kind === 'projection') ? v.gamma : undefined;
      const source = gammaSource ?? v.kernel;
      if (source) map.set(op.id, source.read());
    }
    return map;
  };
  const regularizer = () => morphnetRegularizer(ops, groups, sources(), search.aliveThreshold);
  return {
    loss: () =>
      tf.tidy(() => {
        const r = regularizer();
        r.dispose();
        return r.loss.mul(search.morphnetLambda) as tf.Scalar;
      }),
    figures: () =>
      tf.tidy(() => {
        const r = regularizer();
        return { aliveFlops: r.aliveFlops(), regularizer: r.loss.dataSync()[0] * search.morphnetLambda };
      }),
    alive: () =>
      tf.tidy(() => {
        const counts = regularizer().aliveCounts();
        const out: Record<string, number> = {};
        for (const layer of arch.layers) if (layer.kind === 'conv' && counts.has(layer.id)) out[layer.id] = counts.get(layer.id)!;
        return out;
      }),
  };
}
