/**
 * The config a new experiment starts from: the `quick` preset on the built-in MNIST digits, so
 * the first run works on any machine with no download, with every knob a user is likely to
 * turn written out and explained.
 */

export interface TemplateOptions {
  /** The `resbuilder.defaultBackend` setting. */
  backend: string;
}

export function quickPresetTemplate(options: TemplateOptions): string {
  const backend = options.backend === '' ? 'auto' : options.backend;
  return `# ResBuilder experiment (see the ResBuilder Studio README for every option).
# Press "Run search" above this line, or run: npx resbuilder run <this file>
#
# search: grow and shrink a residual network while it trains (ResBuilder).
# train:  train the start architecture as it is.
mode: search

# quick: few epochs per training, for CPUs and first tries. paper: the published schedule.
preset: quick
seed: 1

# auto picks the fastest backend that works here (tensorflow-gpu, tensorflow, native, wasm, cpu).
backend: ${backend}

dataset:
  # mnist: the built-in digits (no download). Others: fashion-mnist, idx, cifar10, cifar100,
  # image-folder (set path: to the folder, relative to this file).
  source: mnist
  # Train on at most this many images; remove the line to use all of them.
  limit: 2000
  validationSplit: 0.2

architecture:
  # empty (grow from a small stem), resnet18, resnet20, or a path to an .arch.json.
  start: empty
  blockStyle: reference

training:
  optimizer: adam
  learningRate: 0.001
  batchSize: 64

search:
  # Regularized trainings: cycles × insertionsPerCycle, each epochsPerTraining long.
  cycles: 2
  insertionsPerCycle: 2
  epochsPerTraining: 1
  # Epochs of the final training of the found network.
  finalEpochs: 2
  # FLOP budget the MorphNet resize aims at.
  # targetFlops: 5000000

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
