/**
 * The tiny search several test tiers run through the real trainer: the resume tests
 * (test/unit/session/resume.test.ts), the Slurm tests (test/slurm/sweep.test.ts) and the Slurm
 * end-to-end test (test/e2e/slurm.test.ts). On wasm, about a minute of one core at 192 images,
 * with deletions and a resize on its budget: the delete threshold is high enough that blocks are
 * deleted, so deletions are part of the decisions the tests compare. The Slurm tests assert
 * line numbers of settings appended after it, so its line count is part of its contract.
 */
export function tinySearchConfig(imageLimit: number): string {
  return `mode: search
seed: 7
backend: wasm
dataset:
  source: mnist
  limit: ${imageLimit}
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
}

/** The Slurm tests' size: each array task stays about a minute of one core. */
export const TINY_SEARCH_CONFIG = tinySearchConfig(192);
