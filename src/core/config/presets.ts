/**
 * Named schedules (docs/algorithm.md, "Presets"). A preset sits between the defaults and the user's values:
 * defaults ← preset ← the YAML's explicit settings, merged field by field within each section.
 */
import type { ConfigSettings } from './defaults';

export type PresetName = ConfigSettings['preset'];

/** Partial settings, section by section (nested objects partial too). */
export interface ConfigOverrides {
  mode?: ConfigSettings['mode'];
  seed?: number;
  backend?: ConfigSettings['backend'];
  workers?: ConfigSettings['workers'];
  dataset?: Partial<Omit<ConfigSettings['dataset'], 'augmentation'>> & {
    augmentation?: Partial<ConfigSettings['dataset']['augmentation']>;
  };
  architecture?: Partial<ConfigSettings['architecture']>;
  training?: Partial<ConfigSettings['training']>;
  search?: Partial<ConfigSettings['search']>;
}

export const PRESETS: Record<PresetName, ConfigOverrides> = {
  /** The spec defaults as they are. */
  none: {},
  /**
   * The reference code's schedule: 7 cycles × 4 trainings of 20 epochs, with the no-reg
   * evaluation retrains it runs after every regularized training (docs/algorithm.md, "The search loop"). Expect days on
   * a CPU; meant for reproducing the paper on a GPU. Faithful to that code, it gates deletions on
   * test accuracy, so the found network's test accuracy has been seen by the search.
   */
  paper: {
    search: { noRegEvaluation: true, gateAccuracy: 'test' },
  },
  /**
   * A short schedule for CPUs and first tries: a few minutes on MNIST. The lower FLOP target
   * keeps MorphNet's expansion from growing the net past what a CPU trains quickly.
   */
  quick: {
    // Cosine annealing within each short training settles the weights its accuracy is judged
    // on; at a constant rate the last epoch's accuracy swings by points.
    training: { batchSize: 128, epochs: 4, batchNormMomentum: 0.9, schedule: 'cosine' },
    // One epoch per search training and twelve for the found network: on the built-in MNIST
    // (npm run bench:search) the same 18 epochs as 2 + 6 found the same network and trained it
    // to 98.8 % instead of 98.35 % test accuracy.
    search: {
      cycles: 2,
      insertionsPerCycle: 2,
      epochsPerTraining: 1,
      finalEpochs: 12,
      // The steps 12 epochs take on the built-in MNIST (6,400 training images at batch 128), the
      // data this schedule was tuned on: on a smaller dataset 12 epochs end while the found
      // network is still learning.
      finalMinSteps: 600,
      targetFlops: 2e7,
      finalWeights: 'inherit',
    },
    architecture: { start: 'auto' },
  },
};

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
