/**
 * Where a run is, as plain JSON that a checkpoint stores (the loop of docs/algorithm.md, "The search loop" unrolled into a state
 * machine): each training phase ends in a checkpoint, and the instantaneous decisions after it
 * (delete, insert, resize) are re-derived from that checkpoint on resume with the same RNG
 * states, so a resumed run makes exactly the decisions the uninterrupted run makes.
 */
import type { ArchDocumentChange } from '../../core/arch/document';

export type RunStage =
  /** Train the current architecture (a regularized search training). */
  | 'train'
  /** A search training just ended: delete, then insert or resize. */
  | 'decide'
  /** Train the found (or, in `mode: train`, the configured) network from scratch. */
  | 'final'
  | 'done';

/**
 * Saved in every checkpoint. Checkpoints from before may also hold `zeroInit` (always empty): it
 * is read and ignored, so they still resume.
 */
export interface RunProgress {
  mode: 'search' | 'train';
  stage: RunStage;
  /** 1-based MorphNet cycle. */
  cycle: number;
  /** 0 = the cycle's from-scratch training, 1..insertionsPerCycle = after that insertion. */
  t: number;
  /** 1-based count of regularized trainings (the reference code's `run`). */
  run: number;
  /** The no-reg evaluation retrains (docs/algorithm.md, "The search loop") of the last regularized run are still to run. */
  noRegPending: boolean;
  /** Keys of every architecture seen, for the duplicate-insertion redraw (docs/algorithm.md, "Random in: insertion"). */
  visited: string[];
  changes: ArchDocumentChange[];
  /** Per regularized run: test and validation accuracy. */
  accuracy: Record<string, { test: number; validation: number | null }>;
  /** Per regularized run: mean |W| of every inserted conv (docs/algorithm.md, "The deletion criterion"); the last two runs are kept. */
  meanAbs: Record<string, Record<string, number>>;
  /** Grouped alive counts after the last regularized run (docs/algorithm.md, "Shrink"). */
  alive: Record<string, number> | null;
  /** FLOPs of the net the last regularized run trained (F of docs/algorithm.md, "Expand"). */
  trainedFlops: number | null;
  final: { test: { loss: number; accuracy: number }; validation: { loss: number; accuracy: number } | null } | null;
  /** Seconds spent in earlier processes of this run (before resumes). */
  elapsedBefore: number;
}

export function initialProgress(mode: 'search' | 'train', startKey: string): RunProgress {
  return {
    mode,
    stage: mode === 'search' ? 'train' : 'final',
    cycle: 1,
    t: 0,
    run: 1,
    noRegPending: false,
    visited: [startKey],
    changes: [],
    accuracy: {},
    meanAbs: {},
    alive: null,
    trainedFlops: null,
    final: null,
    elapsedBefore: 0,
  };
}
