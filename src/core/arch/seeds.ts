/**
 * The built-in start architectures (docs/algorithm.md, "Start architectures"). Ids are stable and readable so that weights carry
 * over by id and diffs of committed `.arch.json` files stay legible:
 * `stem`, `maxpool`, `s<stage>b<block>` (the block = its skip), `s<stage>b<block>.conv<i>`,
 * `avgpool`, `fc1000`.
 *
 * Every start architecture exists in both block styles: the style only chooses the layer template
 * (docs/algorithm.md, "Block styles"), the graph is the same.
 */
import { ARCH_SCHEMA_VERSION, type Architecture, type BlockStyle, type ConvLayer, type InputShape, type Layer, type Skip } from './types';
import { resolveArchitecture } from './resolve';

function seedConv(id: string, width: number, kernel: number, stride: number): ConvLayer {
  return { kind: 'conv', id, width, kernel, stride, origin: 'seed' };
}

/**
 * Basic residual blocks: `blocksPerStage` blocks of two 3×3 convs per stage; the first conv of
 * the first block of every stage after the first has stride 2.
 */
function residualStages(widths: readonly number[], blocksPerStage: number): { layers: Layer[]; skips: Skip[] } {
  const layers: Layer[] = [];
  const skips: Skip[] = [];
  widths.forEach((width, s) => {
    for (let b = 1; b <= blocksPerStage; b++) {
      const blockId = `s${s + 1}b${b}`;
      const stride = s > 0 && b === 1 ? 2 : 1;
      layers.push(seedConv(`${blockId}.conv1`, width, 3, stride), seedConv(`${blockId}.conv2`, width, 3, 1));
      skips.push({ id: blockId, from: `${blockId}.conv1`, to: `${blockId}.conv2` });
    }
  });
  return { layers, skips };
}

function architecture(input: InputShape, numClasses: number, style: BlockStyle, layers: Layer[], skips: Skip[]): Architecture {
  const arch: Architecture = {
    schemaVersion: ARCH_SCHEMA_VERSION,
    blockStyle: style,
    input: { ...input },
    numClasses,
    layers,
    skips,
  };
  // Fails early (naming the layer) for inputs too small for the skeleton.
  resolveArchitecture(arch);
  return arch;
}

/**
 * The reference code's skeleton without blocks ("ENstart", reconstructed: docs/algorithm.md, "Start architectures"):
 * stem conv 7×7/2 64 → max pool 2×2/2 → avg pool 2×2/2 → [GAP] Dense(1000) → softmax.
 *
 * The standard style uses the same skeleton rather than a CIFAR-style 3×3/1 stem without pools:
 * - the insertion rule draws a stage among the parts separated by pool layers (docs/algorithm.md, "Random in: insertion"); with
 *   no pools there would be one stage, and every block would run at the full input resolution;
 * - the two styles are compared by benchmark at equal FLOPs (docs/algorithm.md, "Block styles"); a different skeleton
 *   per style would confound the comparison;
 * - a blocked 3×3 stem would still need the same downsampling to keep inserted blocks cheap,
 *   which is what the 7×7/2 stem and max pool provide.
 * A different skeleton can always be given as an `.arch.json` start file.
 */
export function emptyNet(input: InputShape, numClasses: number, style: BlockStyle): Architecture {
  return architecture(input, numClasses, style, referenceSkeleton([]), []);
}

/** The reference code's frame around the residual stages: stem 7×7/2 64, max pool, then after the stages an average pool and Dense(1000). */
function referenceSkeleton(stages: Layer[]): Layer[] {
  return [
    seedConv('stem', 64, 7, 2),
    { kind: 'pool', id: 'maxpool', pool: 'max', size: 2, stride: 2 },
    ...stages,
    { kind: 'pool', id: 'avgpool', pool: 'avg', size: 2, stride: 2 },
    { kind: 'dense', id: 'fc1000', units: 1000 },
  ];
}

/**
 * ResNet18 as the reference code builds it (`gen_ResNet18`, docs/algorithm.md, "Start architectures"): stem 7×7/2 64, the
 * declared 3×3/2 max pool as it comes back from the JSON (2×2/2), 4 stages × 2 basic blocks of
 * widths 64/128/256/512, an average pool 2×2/2, GAP, Dense(1000), softmax.
 */
export function resnet18(input: InputShape, numClasses: number, style: BlockStyle): Architecture {
  const { layers, skips } = residualStages([64, 128, 256, 512], 2);
  return architecture(input, numClasses, style, referenceSkeleton(layers), skips);
}

/** A CIFAR-style ResNet's shape (He et al. 2016, section 4.2): depth 6n + 2, widths 16/32/64 × a multiplier. */
export interface CifarResNetShape {
  /** 8, 14, 20, 32, 44, …: 6n + 2 for n blocks per stage. */
  depth: number;
  /** Scales every width (16, 32, 64), rounded to whole channels; 1 is the paper's network. */
  widthMultiplier: number;
}

/**
 * The CIFAR ResNet family: stem 3×3/1 of the first stage's width, 3 stages × n basic blocks of
 * widths 16/32/64 × the multiplier (first conv of stages 2 and 3 with stride 2), GAP, softmax
 * classifier. The fixed networks a search's result is compared with (docs/benchmarks.md).
 */
export function cifarResNet(input: InputShape, numClasses: number, style: BlockStyle, shape: CifarResNetShape): Architecture {
  const { depth, widthMultiplier } = shape;
  if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0) {
    throw new Error(`A CIFAR ResNet's depth is 6n + 2 with n ≥ 1 (8, 14, 20, 32, …), got ${depth}.`);
  }
  if (!(widthMultiplier > 0)) throw new Error(`A width multiplier must be above 0, got ${widthMultiplier}.`);
  const widths = [16, 32, 64].map((w) => Math.max(1, Math.round(w * widthMultiplier)));
  const { layers, skips } = residualStages(widths, (depth - 2) / 6);
  return architecture(input, numClasses, style, [seedConv('stem', widths[0], 3, 1), ...layers], skips);
}

/** The CIFAR ResNet-20: the family's member of depth 20 at full width. */
export function resnet20(input: InputShape, numClasses: number, style: BlockStyle): Architecture {
  return cifarResNet(input, numClasses, style, { depth: 20, widthMultiplier: 1 });
}

/** The largest image side the `auto` start gives a full-resolution CIFAR ResNet: CIFAR's own 32 pixels. */
export const AUTO_START_MAX_SIDE = 32;

/**
 * The `auto` start (docs/algorithm.md, "Start architectures"): a CIFAR ResNet-8 (one block per
 * stage at 16, 32 and 64 channels) for images of up to 32×32 pixels, the `empty` start for larger
 * ones. On 28×28 images the empty start's stem and pools leave every inserted block at 7×7 or
 * 3×3, and a short search grown from it lands below fixed ResNets of its cost on Fashion-MNIST;
 * grown from ResNet-8, blocks sit at full, half and quarter resolution (docs/benchmarks.md,
 * "Found networks against a family of fixed ResNets"). On larger images a full-resolution stage
 * costs more than a CPU search affords, and the empty start's downsampling keeps blocks cheap.
 */
export function autoStart(input: InputShape, numClasses: number, style: BlockStyle): Architecture {
  const small = input.height <= AUTO_START_MAX_SIDE && input.width <= AUTO_START_MAX_SIDE;
  return small ? cifarResNet(input, numClasses, style, { depth: 8, widthMultiplier: 1 }) : emptyNet(input, numClasses, style);
}

export const START_ARCHITECTURES = {
  empty: emptyNet,
  auto: autoStart,
  resnet18,
  resnet20,
} as const;
