/**
 * INSERT ("random in", docs/algorithm.md, "Random in: insertion"): a stage drawn uniformly, a legal slot in it drawn uniformly, and
 * a block of two 3×3/1 convs as wide as the last conv at or before the slot, added right after
 * the slot. A draw that gives an architecture already visited is redrawn; when every attempt
 * gives a duplicate, the insertion is skipped and says so (docs/algorithm.md, "Random in: insertion") instead of failing
 * the search as the reference code does.
 */
import type { Architecture, ConvLayer } from '../arch/types';
import { ArchitectureError, resolveArchitecture } from '../arch/resolve';
import type { StructuralChange } from './change';
import { architectureKey } from './key';
import { legalSlots } from './stages';

/** The part of the seeded RNG an insertion needs: a uniform integer in [0, n). */
export interface IntRng {
  int(n: number): number;
}

export type InsertChange = Extract<StructuralChange, { kind: 'insert' }>;
export type InsertSkippedChange = Extract<StructuralChange, { kind: 'insert-skipped' }>;

export type InsertionResult =
  | {
      inserted: true;
      arch: Architecture;
      change: InsertChange;
      /** `architectureKey` of the new network, for the caller's visited set. */
      key: string;
      /**
       * Convs whose output must start at zero so the insertion leaves the network's function
       * unchanged: the model builder sets the BN γ after them to 0 (standard style) or their
       * kernel and bias to 0 (reference style with `zeroInitLastConv`).
       */
      zeroInitLayerIds: string[];
    }
  | { inserted: false; arch: Architecture; change: InsertSkippedChange };

/** Block id of the block inserted at a search step: `r007` for step 7. */
export function insertedBlockId(step: number): string {
  return `r${String(step).padStart(3, '0')}`;
}

function draw(rng: IntRng, n: number, what: string): number {
  const value = rng.int(n);
  if (!Number.isInteger(value) || value < 0 || value >= n) {
    throw new RangeError(`Insertion: the RNG returned ${value} when drawing a ${what} from ${n}; it must return an integer in [0, ${n}).`);
  }
  return value;
}

/** The channel count of the last conv at or before `slotIndex` (the image channels when there is none). */
function widthAt(arch: Architecture, slotIndex: number): number {
  for (let i = slotIndex; i >= 0; i--) {
    const layer = arch.layers[i];
    if (layer.kind === 'conv') return layer.width;
  }
  return arch.input.channels;
}

export function proposeInsertion(
  arch: Architecture,
  rng: IntRng,
  step: number,
  visited: ReadonlySet<string>,
  attempts: number,
  zeroInitLastConv = false,
): InsertionResult {
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new RangeError(`Insertion: attempts must be a positive integer (search.insertionAttempts), got ${attempts}.`);
  }
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`Insertion: step must be a non-negative integer, got ${step}.`);
  const blockId = insertedBlockId(step);
  const conv1Id = `${blockId}.conv1`;
  const conv2Id = `${blockId}.conv2`;
  const taken = new Set([...arch.layers.map((l) => l.id), ...arch.skips.map((s) => s.id)]);
  for (const id of [blockId, conv1Id, conv2Id]) {
    if (taken.has(id)) throw new ArchitectureError(`Insertion at step ${step}: id "${id}" is already used in the architecture; each step may insert only once.`, id);
  }

  const stages = legalSlots(arch);
  if (stages.length === 0) throw new ArchitectureError('Insertion: the architecture has no legal insertion slot (no first layer, pool or block end outside a block).');

  for (let attempt = 1; attempt <= attempts; attempt++) {
    const stage = stages[draw(rng, stages.length, 'stage')];
    const slotPosition = draw(rng, stage.slots.length, 'slot');
    const slot = stage.slots[slotPosition];
    const slotIndex = arch.layers.findIndex((l) => l.id === slot);
    const width = widthAt(arch, slotIndex);
    const conv = (id: string): ConvLayer => ({ kind: 'conv', id, width, kernel: 3, stride: 1, origin: 'inserted', insertedAt: step });
    const candidate: Architecture = {
      ...arch,
      layers: [...arch.layers.slice(0, slotIndex + 1), conv(conv1Id), conv(conv2Id), ...arch.layers.slice(slotIndex + 1)],
      skips: [...arch.skips, { id: blockId, from: conv1Id, to: conv2Id }],
    };
    const key = architectureKey(candidate);
    if (visited.has(key)) continue;
    resolveArchitecture(candidate);
    const duplicates = attempt - 1;
    const reason =
      `Inserted block "${blockId}" (two 3×3 convs of width ${width}, the width of the last conv at or before the slot) after "${slot}": ` +
      `stage ${stage.index + 1} of ${stages.length}, slot ${slotPosition + 1} of ${stage.slots.length} in that stage` +
      (duplicates > 0 ? `; ${duplicates} earlier draw${duplicates === 1 ? '' : 's'} gave an architecture already visited` : '') +
      '.';
    return {
      inserted: true,
      arch: candidate,
      key,
      zeroInitLayerIds: arch.blockStyle === 'standard' || zeroInitLastConv ? [conv2Id] : [],
      change: {
        kind: 'insert',
        blockId,
        layerIds: [conv1Id, conv2Id],
        stage: stage.index,
        stages: stages.length,
        slot,
        slots: [...stage.slots],
        width,
        attempts: attempt,
        reason,
      },
    };
  }
  return {
    inserted: false,
    arch,
    change: {
      kind: 'insert-skipped',
      attempts,
      reason: `Insertion skipped at step ${step}: all ${attempts} draws gave an architecture already visited; the network is unchanged.`,
    },
  };
}
