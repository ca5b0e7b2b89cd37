/**
 * loadDataset: from a resolved dataset config to the three uint8 splits, the normalisation and
 * the DatasetInfo a run records. All randomness (the test split where the source has none, the
 * validation split, the `limit` subset) comes from the seed's `split` stream, in that order, so
 * the same seed gives the same splits whatever else the config changes.
 */
import { homedir } from 'node:os';
import { basename, isAbsolute, resolve } from 'node:path';
import type { DatasetConfig, DatasetSource } from '../../core/config/types';
import { Rng } from '../../core/rng';
import { CIFAR_LAYOUTS, loadCifar } from './cifar';
import { dataError } from './files';
import { datasetFingerprint } from './fingerprint';
import { IDX_HINT, loadIdxFolder } from './idx';
import { IMAGE_FOLDER_HINT } from './imageFolder';
import { decodeImageFolderInChild } from './image-folder-process';
import { resolveNormalization } from './normalization';
import { FASHION_CLASS_NAMES, loadFashionPackage, loadMnistPackage, MNIST_CLASS_NAMES } from './packageData';
import { limitSet, stratifiedSplit } from './split';
import type { ImageSet, LoadedDataset } from './types';

export interface LoadDatasetOptions {
  /** The config file's folder: `dataset.path` is resolved against it. */
  configDir: string;
  /** The run's seed; the splits use its `split` stream. */
  seed: number;
  onProgress?: (message: string) => void;
}

/** The dataset's own splits before validation and `limit` are applied. */
interface SourceData {
  name: string;
  /** Training images; the validation split is taken from these. */
  train: ImageSet;
  test: ImageSet;
  numClasses: number;
  classNames?: string[];
}

export async function loadDataset(config: DatasetConfig, opts: LoadDatasetOptions): Promise<LoadedDataset> {
  const report = opts.onProgress ?? (() => undefined);
  const rng = new Rng(opts.seed, 'split');
  checkFraction('dataset.validationSplit', config.validationSplit);
  checkFraction('dataset.testSplit', config.testSplit);

  const data = await loadSource(config, opts, rng, report);
  const { kept, heldOut: validation } = stratifiedSplit(data.train, config.validationSplit, rng);
  const train = config.limit !== null ? limitSet(kept, config.limit, rng) : kept;
  if (train.count === 0) throw dataError(data.name, 'no training images are left after the validation split and limit', 'Lower dataset.validationSplit or raise dataset.limit');
  report(`${data.name}: ${train.count} training, ${validation.count} validation, ${data.test.count} test images of ${train.height}×${train.width}×${train.channels}, ${data.numClasses} classes`);

  const normalization = resolveNormalization(config.normalization, config.source, train);
  const splits = { train, validation, test: data.test };
  return {
    info: {
      name: data.name,
      source: config.source,
      inputShape: [train.height, train.width, train.channels],
      numClasses: data.numClasses,
      ...(data.classNames ? { classNames: data.classNames } : {}),
      trainSize: train.count,
      validationSize: validation.count,
      testSize: data.test.count,
      fingerprint: datasetFingerprint(splits),
    },
    ...splits,
    normalization,
  };
}

async function loadSource(config: DatasetConfig, opts: LoadDatasetOptions, rng: Rng, report: (m: string) => void): Promise<SourceData> {
  const source: DatasetSource = config.source;
  switch (source) {
    case 'mnist': {
      report('Loading the built-in MNIST digits');
      const pool = await loadMnistPackage();
      return { name: 'MNIST (built-in 10,000 digits)', ...holdOutTest(pool, config, rng), numClasses: 10, classNames: MNIST_CLASS_NAMES };
    }
    case 'fashion-mnist': {
      report('Loading Fashion-MNIST');
      const pool = await loadFashionPackage();
      if (pool) return { name: 'Fashion-MNIST (package)', ...holdOutTest(pool, config, rng), numClasses: 10, classNames: FASHION_CLASS_NAMES };
      const folder = requirePath(config, opts, `The fashion-mnist package is not installed, so dataset.path must name a folder with the Fashion-MNIST IDX files. ${IDX_HINT}`);
      const idx = await loadIdxFolder(folder);
      return { name: 'Fashion-MNIST', train: idx.train, test: idx.test, numClasses: classCount(idx.train, idx.test, idx.files.trainLabels), classNames: FASHION_CLASS_NAMES };
    }
    case 'idx': {
      const folder = requirePath(config, opts, IDX_HINT);
      report(`Loading IDX files from ${folder}`);
      const idx = await loadIdxFolder(folder);
      const numClasses = classCount(idx.train, idx.test, idx.files.trainLabels);
      const classNames = idx.classNames && idx.classNames.length === numClasses ? idx.classNames : undefined;
      return { name: idx.name, train: idx.train, test: idx.test, numClasses, classNames };
    }
    case 'cifar10':
    case 'cifar100': {
      const folder = requirePath(config, opts, CIFAR_LAYOUTS[source].hint('a folder'));
      report(`Loading ${CIFAR_LAYOUTS[source].title} from ${folder}`);
      const cifar = await loadCifar(source, folder);
      return { name: cifar.title, train: cifar.train, test: cifar.test, numClasses: cifar.numClasses, classNames: cifar.classNames };
    }
    case 'image-folder': {
      const folder = requirePath(config, opts, IMAGE_FOLDER_HINT);
      const images = await decodeImageFolderInChild(folder, { imageSize: config.imageSize, channels: config.channels, onProgress: report });
      return { name: basename(images.folder), ...holdOutTest(images.set, config, rng), numClasses: images.classNames.length, classNames: images.classNames };
    }
  }
}

/** Sources without a test split of their own give up a seeded, stratified `testSplit` of their images. */
function holdOutTest(pool: ImageSet, config: DatasetConfig, rng: Rng): { train: ImageSet; test: ImageSet } {
  const { kept, heldOut } = stratifiedSplit(pool, config.testSplit, rng);
  return { train: kept, test: heldOut };
}

function requirePath(config: DatasetConfig, opts: LoadDatasetOptions, hint: string): string {
  if (config.path === null || config.path.trim() === '') {
    throw dataError('dataset.path', `is required for dataset.source '${config.source}'`, hint);
  }
  const path = config.path.startsWith('~/') ? resolve(homedir(), config.path.slice(2)) : config.path;
  return isAbsolute(path) ? path : resolve(opts.configDir, path);
}

/** The number of classes of label files: the largest label + 1 (EMNIST byclass: 62). */
function classCount(train: ImageSet, test: ImageSet, labelsFile: string): number {
  let max = 0;
  for (const set of [train, test]) for (let i = 0; i < set.count; i++) max = Math.max(max, set.labels[i]);
  if (max < 1) throw dataError(labelsFile, 'all labels are 0: a classifier needs at least two classes', 'Check that this is the right label file');
  return max + 1;
}

function checkFraction(field: string, value: number): void {
  if (!(value >= 0 && value < 1)) throw new RangeError(`${field} must be at least 0 and below 1, got ${value}`);
}
