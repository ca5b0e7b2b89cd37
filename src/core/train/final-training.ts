/**
 * How long the final training of a found network lasts (docs/algorithm.md, "The final training").
 * A number of epochs means very different amounts of learning on a dataset of 2,000 images and
 * one of 50,000, so the final training is also held to a minimum number of optimizer steps.
 */
import type { SearchConfig } from '../config/types';

/** Epochs of the final training: `finalEpochs`, raised until `finalMinSteps` steps are reached. 0 stays 0 (no final training). */
export function finalTrainingEpochs(search: Pick<SearchConfig, 'finalEpochs' | 'finalMinSteps'>, stepsPerEpoch: number): number {
  if (!(Number.isInteger(stepsPerEpoch) && stepsPerEpoch > 0)) throw new RangeError(`stepsPerEpoch must be a positive whole number, got ${stepsPerEpoch}`);
  if (search.finalEpochs === 0) return 0;
  return Math.max(search.finalEpochs, Math.ceil(search.finalMinSteps / stepsPerEpoch));
}
