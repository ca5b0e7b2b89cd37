// Mutation testing (`npm run test:mutation`, README "Developing"). One scope per run: each scope
// mutates its own sources and runs only the fast test files that state their behaviour, so a
// mutant never waits for the slow backend or browser tests. RESBUILDER_MUTATION_SCOPE picks it;
// scripts/mutation.mjs runs every scope in turn and sums the scores.

/** @type {Record<string, { mutate: string[]; spec: string[] }>} */
export const SCOPES = {
  core: {
    mutate: ['src/core/**/*.ts'],
    spec: [
      'test/unit/arch/**/*.test.ts',
      'test/unit/config/**/*.test.ts',
      'test/unit/search/**/*.test.ts',
      'test/unit/sweep/**/*.test.ts',
      // The export's pure graph and weights; the other export tests load TF.js.
      'test/unit/export/graph-shapes.test.ts',
      'test/unit/core/**/*.test.ts',
      'test/unit/rng.test.ts',
      'test/unit/train/schedule.test.ts',
    ],
  },
  webview: {
    mutate: ['webview/run-model.ts', 'webview/run-status.ts', 'webview/stack-layout.ts'],
    spec: ['test/webview/protocol.test.ts', 'test/webview/compare.test.ts', 'test/webview/stack-layout*.test.ts', 'test/webview/run-model*.test.ts'],
  },
  'trainer-train': {
    mutate: ['src/trainer/train/**/*.ts'],
    spec: ['test/unit/train/**/*.test.ts', 'test/unit/morphnet/**/*.test.ts'],
  },
  'trainer-model': {
    mutate: ['src/trainer/model/**/*.ts'],
    spec: ['test/unit/model/**/*.test.ts'],
  },
};

const scope = process.env.RESBUILDER_MUTATION_SCOPE ?? 'core';
const selected = SCOPES[scope];
if (!selected) throw new Error(`RESBUILDER_MUTATION_SCOPE="${scope}" is not a scope; use one of ${Object.keys(SCOPES).join(', ')}.`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'mocha',
  mochaOptions: {
    // The repository's .mocharc lists every test; a scope runs only its own files.
    'no-config': true,
    require: ['tsx/cjs'],
    extension: ['ts'],
    spec: selected.spec,
  },
  // RESBUILDER_MUTATION_TYPECHECK=off skips the checker: several times faster on a loaded machine,
  // at the price of running mutants that would not compile (tsx does not type-check).
  checkers: process.env.RESBUILDER_MUTATION_TYPECHECK === 'off' ? [] : ['typescript'],
  // The scope's sources and tests only: type-checking the whole project for every mutant would
  // make the checker, not the tests, the bottleneck.
  tsconfigFile: `test/mutation/tsconfig.${scope}.json`,
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: selected.mutate,
  // Run each mutant only against the tests that reach it.
  coverageAnalysis: 'perTest',
  // Module-level constants would need every test of the scope per mutant.
  ignoreStatic: true,
  // Kept beside the reports, out of git (megabytes of generated JSON, rewritten by every run): a
  // re-run on this machine tests only the mutants whose code or covering tests changed.
  incremental: true,
  incrementalFile: `bench-results/mutation/${scope}/incremental.json`,
  disableTypeChecks: '{src,test,webview}/**/*.ts',
  ignorePatterns: ['.stryker-tmp*', 'bench-results', '.test-artifacts', '.resbuilder', 'examples/.resbuilder', 'dist', 'native/build'],
  concurrency: Number(process.env.RESBUILDER_MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 3000,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: `bench-results/mutation/${scope}/index.html` },
  jsonReporter: { fileName: `bench-results/mutation/${scope}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: false },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
