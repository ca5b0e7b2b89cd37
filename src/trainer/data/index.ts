/** The trainer's datasets: loading (loadDataset) and batching (TrainingBatches, evaluationBatches). */
export { loadDataset, type LoadDatasetOptions } from './load';
export {
  buildBatch,
  evaluationBatches,
  hostEvaluationBatches,
  stepsPerEpoch,
  toTensors,
  TrainingBatches,
  type Batch,
  type BatchOptions,
  type HostBatch,
  type TrainingBatchesState,
  type TrainingBatchOptions,
} from './batches';
export { drawTransform, normalizationTable, writeImage, type AugmentationSettings, type ImageTransform } from './augment';
export { CIFAR10_NORMALIZATION, channelStatistics, identityNormalization, resolveNormalization } from './normalization';
export { datasetFingerprint } from './fingerprint';
export { limitSet, stratifiedSplit } from './split';
export { DataError, type ImageSet, type LoadedDataset, type Normalization } from './types';
