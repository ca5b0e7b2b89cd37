/**
 * DELETE ("greedy out", docs/algorithm.md, "Greedy out: deletion"): every inserted conv whose mean absolute kernel weight fell
 * below τ is removed together with its whole block, unless the momentum gate holds the step
 * back because the last insertion just raised the accuracy by more than the gate threshold.
 * Seed convs are never tested: only MORPH can remove them.
 */
import type { Architecture } from '../arch/types';
import { ArchitectureError } from '../arch/resolve';
import type { StructuralChange } from './change';
import { removeWithBlocks } from './closure';
import { formatNumber as fmt } from '../format';

export type DeleteChange = Extract<StructuralChange, { kind: 'delete' }>;
export type DeleteSkippedChange = Extract<StructuralChange, { kind: 'delete-skipped' }>;

/** The momentum gate (docs/algorithm.md, "The momentum gate"). */
export interface DeletionGate {
  enabled: boolean;
  /** The deletion right after a from-scratch training always happens (docs/algorithm.md, "The momentum gate", config `delete_after_shrinkage_step`). */
  firstOfCycle: boolean;
  /** Accuracy of the previous regularized training; null when there is none. */
  previousAccuracy: number | null;
  accuracy: number;
  threshold: number;
}

export interface DeletionInput {
  arch: Architecture;
  /** Mean |W| of the kernel of inserted convs (docs/algorithm.md, "The deletion criterion"); inserted convs without an entry are not tested. */
  meanAbs: ReadonlyMap<string, number>;
  /** τ (search.deleteThreshold). */
  threshold: number;
  gate: DeletionGate;
}

export type DeletionResult =
  | { deleted: true; arch: Architecture; change: DeleteChange }
  | { deleted: false; arch: Architecture; change: DeleteSkippedChange };


export function decideDeletion(input: DeletionInput): DeletionResult {
  const { arch, meanAbs, threshold, gate } = input;
  const tested: Record<string, number> = {};
  for (const layer of arch.layers) {
    if (layer.kind !== 'conv' || layer.origin !== 'inserted') continue;
    const m = meanAbs.get(layer.id);
    if (m === undefined) continue;
    if (!Number.isFinite(m) || m < 0) throw new ArchitectureError(`Deletion: mean |W| of "${layer.id}" is ${m}; it must be a finite non-negative number.`, layer.id);
    tested[layer.id] = m;
  }

  if (gate.enabled && !gate.firstOfCycle && gate.previousAccuracy !== null) {
    const gain = gate.accuracy - gate.previousAccuracy;
    if (gate.accuracy > gate.previousAccuracy + gate.threshold) {
      return {
        deleted: false,
        arch,
        change: {
          kind: 'delete-skipped',
          gate: { previousAccuracy: gate.previousAccuracy, accuracy: gate.accuracy, threshold: gate.threshold },
          meanAbsWeights: tested,
          threshold,
          reason: `Deletion skipped by the momentum gate: accuracy rose from ${fmt(gate.previousAccuracy)} to ${fmt(gate.accuracy)} (+${fmt(gain)}), more than the gate threshold ${fmt(gate.threshold)}.`,
        },
      };
    }
  }
  const gateNote = !gate.enabled
    ? 'momentum gate off'
    : gate.firstOfCycle
      ? 'first step of the cycle, so the momentum gate does not apply'
      : gate.previousAccuracy === null
        ? 'no previous accuracy for the momentum gate'
        : gateNoteFor(gate.accuracy - gate.previousAccuracy, gate.threshold);

  const marked = Object.entries(tested).filter(([, m]) => m < threshold);
  if (marked.length === 0) {
    const entries = Object.entries(tested);
    const smallest = entries.reduce<[string, number] | null>((min, e) => (min === null || e[1] < min[1] ? e : min), null);
    return {
      deleted: false,
      arch,
      change: {
        kind: 'delete-skipped',
        meanAbsWeights: tested,
        threshold,
        reason:
          entries.length === 0
            ? `Nothing to delete: no inserted conv was tested (${gateNote}).`
            : `Nothing to delete: no inserted conv has mean |W| below ${fmt(threshold)} (smallest: "${smallest![0]}" at ${fmt(smallest![1])}; ${gateNote}).`,
      },
    };
  }
  const removal = removeWithBlocks(arch, marked.map(([id]) => id));
  const why = marked.map(([id, m]) => `"${id}" ${fmt(m)}`).join(', ');
  return {
    deleted: true,
    arch: removal.arch,
    change: {
      kind: 'delete',
      blockIds: removal.removedBlockIds,
      layerIds: removal.removedLayerIds,
      meanAbsWeights: tested,
      threshold,
      reason:
        `Deleted ${removal.removedBlockIds.length === 1 ? 'block' : 'blocks'} ${removal.removedBlockIds.map((b) => `"${b}"`).join(', ') || '(none)'}` +
        ` (layers ${removal.removedLayerIds.map((l) => `"${l}"`).join(', ')}): mean |W| below ${fmt(threshold)} for ${why}; ${gateNote}.`,
    },
  };
}

/** Accuracy fractions as points: 0.1035 → "10.35". */
function points(fraction: number): string {
  return (fraction * 100).toFixed(2).replace(/\.?0+$/, '');
}

/**
 * Why the momentum gate let a deletion through, in points: a drop is no gain at all (it is not
 * "within" a threshold), a small gain is one no larger than the gate's.
 */
export function gateNoteFor(change: number, threshold: number): string {
  if (change < 0) return `accuracy fell by ${points(-change)} points; the momentum gate holds deletions back only after a gain above ${points(threshold)} points`;
  return `accuracy rose by ${points(change)} points, not more than the momentum gate's ${points(threshold)} points`;
}
