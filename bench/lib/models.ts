/**
 * The architectures the engine benchmark measures, built with the project's own graph helpers:
 * the CIFAR ResNet-20 and the kind of small net a search grows on 28×28 grey images (the empty
 * start net with one inserted block per resolution stage, as the stage-uniform insertion rule
 * spreads them).
 */
import { insertBlockAfter } from './arch-edits';
import { countFlops, countParams } from '../../src/core/arch/cost';
import { resolveArchitecture } from '../../src/core/arch/resolve';
import { emptyNet, resnet20 } from '../../src/core/arch/seeds';
import type { Architecture } from '../../src/core/arch/types';
import { buildModel } from '../../src/trainer/model';
import { workCount, type WorkCount } from './peak';

export interface BenchModel {
  id: string;
  description: string;
  arch: Architecture;
  /** Forward FLOPs of one image (MorphNet convention: 2·MAC per conv and dense layer). */
  forwardFlops: number;
  /** The multiply-adds of one image's forward pass and training step (bench/lib/peak.ts). */
  work: WorkCount;
  params: number;
  /** [height, width, channels] of one input image. */
  inputShape: [number, number, number];
}

function describe(id: string, description: string, arch: Architecture): BenchModel {
  return {
    id,
    description,
    arch,
    forwardFlops: countFlops(arch),
    work: workCount(arch),
    params: countParams(arch),
    inputShape: [arch.input.height, arch.input.width, arch.input.channels],
  };
}

/** Empty start net plus blocks after the stem, the max pool and the average pool (block ids as the search names them). */
function grownSmallNet(): Architecture {
  let arch = emptyNet({ height: 28, width: 28, channels: 1 }, 10, 'standard');
  const slots = ['stem', 'maxpool', 'avgpool'];
  slots.forEach((slot, i) => {
    const blockId = `r${String(i + 1).padStart(3, '0')}`;
    const width = 64;
    arch = insertBlockAfter(arch, slot, blockId, [`${blockId}.conv1`, `${blockId}.conv2`], width, { insertedAt: i + 1 });
  });
  return arch;
}

export function benchModels(): BenchModel[] {
  return [
    describe('resnet20', 'ResNet-20 (CIFAR, standard style), 32×32×3, 10 classes', resnet20({ height: 32, width: 32, channels: 3 }, 10, 'standard')),
    describe('small28', 'empty net + 3 inserted blocks (standard style), 28×28×1, 10 classes', grownSmallNet()),
  ];
}

export function selectModels(ids: readonly string[] | null): BenchModel[] {
  const all = benchModels();
  if (ids === null) return all;
  return ids.map((id) => {
    const model = all.find((m) => m.id === id);
    if (!model) throw new Error(`BENCH_MODELS names '${id}'; known models: ${all.map((m) => m.id).join(', ')}.`);
    return model;
  });
}

/**
 * The graph with every shape and shortcut adapter resolved, for the PyTorch script: it builds
 * its modules from exactly what the TF.js model builder reads, so both run the same network.
 */
export function pytorchSpec(model: BenchModel): Record<string, unknown> {
  const resolved = resolveArchitecture(model.arch);
  return {
    batchNorm: batchNormSettings(model.arch),
    id: model.id,
    blockStyle: model.arch.blockStyle,
    input: model.inputShape,
    numClasses: model.arch.numClasses,
    params: model.params,
    forwardFlops: model.forwardFlops,
    layers: resolved.layers.map((r) => ({
      ...r.layer,
      inShape: r.inShape,
      outShape: r.outShape,
      endsBlock: r.endsBlock,
      poolsGlobally: r.poolsGlobally,
    })),
    skips: resolved.skips.map((s) => ({ id: s.skip.id, fromIndex: s.fromIndex, toIndex: s.toIndex, adapter: s.adapter })),
  };
}

/** Momentum and epsilon of the batch norms buildModel makes, read from a built model rather than restated. */
export function batchNormSettings(arch: Architecture): { momentum: number; epsilon: number } {
  const model = buildModel(arch, { seed: 1 });
  try {
    const bn = model.layers.find((l) => l.getClassName() === 'BatchNormalization');
    if (!bn) throw new Error(`Model "${arch.layers[0]?.id ?? '?'}…" has no BatchNormalization layer to read settings from.`);
    const config = bn.getConfig() as { momentum?: number; epsilon?: number };
    if (typeof config.momentum !== 'number' || typeof config.epsilon !== 'number') {
      throw new Error(`BatchNormalization layer "${bn.name}" reports no numeric momentum/epsilon in its config.`);
    }
    return { momentum: config.momentum, epsilon: config.epsilon };
  } finally {
    model.dispose();
  }
}
