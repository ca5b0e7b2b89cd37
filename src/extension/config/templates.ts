/**
 * The config a new experiment starts from: the `quick` preset on the built-in MNIST digits, so
 * the first run works on any machine with no download, with every knob a user is likely to
 * turn written out and explained. Every value is read from the resolved `quick` preset (the
 * defaults the trainer merges under a config), so the file says what the trainer would do anyway.
 */
import { resolveConfig } from '../../core/config/resolve';

export interface TemplateOptions {
  /** The `resbuilder.defaultBackend` setting. */
  backend: string;
}

/** What a config that only says `preset: quick` resolves to. */
function quickSettings() {
  return resolveConfig({ preset: 'quick' }, '/experiment.resbuilder.yaml');
}

/** A number as YAML reads it back: large ones in exponent form (2e+7), which YAML 1.2 parses as a float. */
function scalar(value: number): string {
  return Math.abs(value) >= 1e5 ? value.toExponential() : String(value);
}

export function quickPresetTemplate(options: TemplateOptions): string {
  const backend = options.backend === '' ? 'auto' : options.backend;
  const q = quickSettings();
  return `# ResBuilder experiment (see the ResBuilder Studio README for every option).
# In VS Code, "Run search" sits just above the first setting below (mode:);
# from a terminal: npx resbuilder run <this file>
#
# search: grow and shrink a residual network while it trains (ResBuilder).
# train:  train the start architecture as it is.
mode: ${q.mode}

# quick: few epochs per training, for CPUs and first tries. paper: the published schedule.
preset: quick
seed: ${q.seed}

# auto picks the fastest backend that works here (tensorflow-gpu, tensorflow, native, wasm, cpu).
backend: ${backend}

dataset:
  # mnist: the built-in digits (no download). Others: fashion-mnist, idx, cifar10, cifar100,
  # image-folder (set path: to the folder, relative to this file).
  source: ${q.dataset.source}
  validationSplit: ${scalar(q.dataset.validationSplit)}
  # Train on at most this many images (all of them when left out), e.g. for a faster first try:
  # limit: 2000

architecture:
  # auto (a ResNet-8 for images up to 32×32 pixels, else empty), empty (grow from a small stem),
  # resnet18, resnet20, or a path to an .arch.json.
  start: ${q.architecture.start}
  # standard: conv-BN-ReLU basic blocks. reference: the authors' BN→conv→ReLU layers.
  blockStyle: ${q.architecture.blockStyle}

training:
  optimizer: ${q.training.optimizer}
  learningRate: ${scalar(q.training.learningRate)}
  batchSize: ${q.training.batchSize}

search:
  # Regularized trainings: cycles × insertionsPerCycle, each epochsPerTraining long.
  cycles: ${q.search.cycles}
  insertionsPerCycle: ${q.search.insertionsPerCycle}
  epochsPerTraining: ${q.search.epochsPerTraining}
  # Epochs of the final training of the found network.
  finalEpochs: ${q.search.finalEpochs}
  # ...or more, until the final training has taken this many optimizer steps (small datasets).
  finalMinSteps: ${q.search.finalMinSteps}
  # inherit: the final training continues from the searched weights. fresh: from new ones.
  finalWeights: ${q.search.finalWeights}
  # FLOP budget the MorphNet resize aims at.
  targetFlops: ${scalar(q.search.targetFlops)}

# The found architecture is written next to this file as <name>.arch.json.
`;
}

/** A file name that does not clash with the existing ones: `experiment.resbuilder.yaml`, `experiment-2…`. */
export function freeConfigName(existing: ReadonlySet<string>, base = 'experiment'): string {
  for (let i = 1; ; i++) {
    const name = `${i === 1 ? base : `${base}-${i}`}.resbuilder.yaml`;
    if (!existing.has(name)) return name;
  }
}
