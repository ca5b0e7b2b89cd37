/**
 * The Slurm tests' tiny search (test/slurm/sweep.test.ts and test/e2e/slurm.test.ts): each task
 * is about a minute of one core, with deletions and a resize on its budget.
 */
export const TINY_SEARCH_CONFIG = `mode: search
seed: 7
backend: wasm
dataset:
  source: mnist
  limit: 192
  validationSplit: 0.1
architecture:
  start: empty
  blockStyle: standard
training:
  batchSize: 64
search:
  cycles: 1
  insertionsPerCycle: 2
  epochsPerTraining: 2
  finalEpochs: 1
  targetFlops: 3.0e+7
  deleteThreshold: 0.05
`;
