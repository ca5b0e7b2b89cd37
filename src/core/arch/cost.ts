/**
 * FLOPs and trainable parameters of an architecture graph.
 *
 * FLOPs follow MorphNet's convention (docs/algorithm.md, "The MorphNet term") with every channel alive:
 * 2·H_out·W_out·k²·C_in·C_out per conv (shortcut projections included, on the zero-padded
 * channels they really see) and 2·in·out per dense layer (the classifier included); batch norm,
 * pools, paddings and adds cost nothing.
 *
 * Parameters are the trainable ones of the TF.js model built from the graph:
 * - reference: BN (γ, β) on each conv's input channels, conv kernel + bias; shortcut 1×1 conv with
 *   bias and no BN;
 * - standard: conv kernel without bias, BN (γ, β) on its output channels; projection 1×1 conv
 *   without bias + BN;
 * - both: hidden dense and classifier with bias.
 */
import type { Architecture, ArchitectureCost } from './types';
import { resolveArchitecture, type Shape } from './resolve';

export interface LayerCost {
  /** The graph layer id; `<skipId>.proj` for a shortcut projection; `classifier` for the head. */
  id: string;
  kind: 'conv' | 'pool' | 'dense' | 'projection' | 'classifier';
  /** The block the row belongs to (the skip id), if any. */
  blockId?: string;
  inShape: Shape;
  outShape: Shape;
  params: number;
  flops: number;
}

function convFlops(out: Shape, kernel: number, inChannels: number): number {
  return 2 * out[0] * out[1] * kernel * kernel * inChannels * out[2];
}

/** One row per graph layer, with each block's shortcut projection after its last layer, then the classifier. */
export function costBreakdown(arch: Architecture): LayerCost[] {
  const resolved = resolveArchitecture(arch);
  const reference = arch.blockStyle === 'reference';
  const skipEndingAt = new Map(resolved.skips.map((s) => [s.toIndex, s]));
  const rows: LayerCost[] = [];
  for (const r of resolved.layers) {
    const { layer, inShape, outShape } = r;
    const base = { id: layer.id, blockId: r.blockId, inShape, outShape };
    switch (layer.kind) {
      case 'conv': {
        const cin = inShape[2];
        const cout = outShape[2];
        const kernel = layer.kernel * layer.kernel * cin * cout;
        const params = reference ? 2 * cin + kernel + cout : kernel + 2 * cout;
        rows.push({ ...base, kind: 'conv', params, flops: convFlops(outShape, layer.kernel, cin) });
        break;
      }
      case 'pool':
        rows.push({ ...base, kind: 'pool', params: 0, flops: 0 });
        break;
      case 'dense': {
        const weights = inShape[2] * layer.units;
        rows.push({ ...base, kind: 'dense', params: weights + layer.units, flops: 2 * weights });
        break;
      }
    }
    const skip = skipEndingAt.get(r.index);
    const projection = skip?.adapter.projection;
    if (skip && projection) {
      const out: Shape = [skip.outShape[0], skip.outShape[1], projection.outChannels];
      const kernel = projection.inChannels * projection.outChannels;
      const params = kernel + (projection.withBias ? projection.outChannels : 0) + (projection.withBatchNorm ? 2 * projection.outChannels : 0);
      rows.push({
        id: `${skip.skip.id}.proj`,
        kind: 'projection',
        blockId: skip.skip.id,
        inShape: [skip.shortcutShape[0], skip.shortcutShape[1], projection.inChannels],
        outShape: out,
        params,
        flops: convFlops(out, 1, projection.inChannels),
      });
    }
  }
  const headIn = resolved.headInShape;
  const weights = headIn[2] * arch.numClasses;
  rows.push({ id: 'classifier', kind: 'classifier', inShape: headIn, outShape: [1, 1, arch.numClasses], params: weights + arch.numClasses, flops: 2 * weights });
  return rows;
}

export function countFlops(arch: Architecture): number {
  return costBreakdown(arch).reduce((sum, row) => sum + row.flops, 0);
}

/** Trainable parameters only (BN moving statistics are not counted). */
export function countParams(arch: Architecture): number {
  return costBreakdown(arch).reduce((sum, row) => sum + row.params, 0);
}

export function architectureCost(arch: Architecture): ArchitectureCost {
  const rows = costBreakdown(arch);
  return { flops: rows.reduce((s, r) => s + r.flops, 0), params: rows.reduce((s, r) => s + r.params, 0) };
}
