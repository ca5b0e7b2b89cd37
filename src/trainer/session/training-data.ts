/** The loaded dataset as a training phase consumes it: shuffled, augmented batches from the run's RNG streams. */
import type { ResolvedConfig } from '../../core/config/types';
import { evaluationBatches, TrainingBatches } from '../data/batches';
import type { LoadedDataset } from '../data/types';
import type { TrainingData } from '../train/evaluate';
import type { RngSet as RunRngs } from '../../core/rng';

export function createTrainingData(dataset: LoadedDataset, config: ResolvedConfig, rngs: RunRngs): TrainingData {
  const options = {
    batchSize: config.training.batchSize,
    numClasses: dataset.info.numClasses,
    normalization: dataset.normalization,
  };
  const batches = new TrainingBatches(dataset.train, {
    ...options,
    augmentation: config.dataset.augmentation,
    shuffleRng: rngs.shuffle,
    augmentRng: rngs.augmentation,
  });
  return {
    stepsPerEpoch: batches.stepsPerEpoch,
    validationSize: dataset.validation.count,
    testSize: dataset.test.count,
    trainEpoch: () => batches.epoch(),
    trainHostEpoch: () => batches.hostEpoch(),
    evaluationBatches: (split) => evaluationBatches(split === 'test' ? dataset.test : dataset.validation, options),
    batchesLeft: () => batches.batchesLeft,
    getState: () => batches.getState(),
    setState: (state) => batches.setState(state),
  };
}
