/**
 * The layer rule, checked by `npm run lint` (dependency-cruiser):
 * dependencies point one way, towards `src/core`, and nothing imports in a circle.
 *
 *   src/core       ← nothing else of ours; pure (no vscode, no TF.js)
 *   src/protocol   ← src/core only
 *   src/trainer    ← core, protocol
 *   src/extension  ← core, protocol (the trainer and the webview only across their process boundary)
 *   webview/       ← core, protocol
 *   bench/         ← anything but test/
 */
const OURS = '^(src/|webview/|bench/|test/|scripts/)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'Modules that import each other cannot be understood, tested or loaded on their own: move the shared part into a module both import.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-stands-alone',
      severity: 'error',
      comment: 'src/core is the pure domain layer: it imports no other part of the project.',
      from: { path: '^src/core/' },
      to: { path: OURS, pathNot: '^src/core/' },
    },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'src/core runs in every process, the webview included: no vscode API, no TF.js.',
      from: { path: '^(src/core|src/protocol)/' },
      to: { path: '(^vscode$|node_modules/@tensorflow/|node_modules/@types/vscode/)' },
    },
    {
      name: 'protocol-on-core-only',
      severity: 'error',
      comment: 'src/protocol describes messages between processes in terms of src/core types; it imports nothing else of ours.',
      from: { path: '^src/protocol/' },
      to: { path: OURS, pathNot: '^src/(protocol|core)/' },
    },
    {
      name: 'trainer-on-core-and-protocol',
      severity: 'error',
      comment: 'The trainer process depends only on src/core and src/protocol.',
      from: { path: '^src/trainer/' },
      to: { path: OURS, pathNot: '^src/(trainer|core|protocol)/' },
    },
    {
      name: 'extension-on-core-and-protocol',
      severity: 'error',
      comment: 'The extension host reaches the trainer and the webview only across their process boundaries (IPC, postMessage), never by import.',
      from: { path: '^src/extension/' },
      to: { path: OURS, pathNot: '^src/(extension|core|protocol)/' },
    },
    {
      name: 'webview-on-core-and-protocol',
      severity: 'error',
      comment: 'The run panel bundle depends only on src/core and src/protocol.',
      from: { path: '^webview/' },
      to: { path: OURS, pathNot: '^(webview|src/core|src/protocol)/' },
    },
    {
      name: 'bench-and-production-never-import-tests',
      severity: 'error',
      comment: 'Test helpers and fixtures are not shipped or benchmarked: move what production or bench code needs out of test/.',
      from: { path: '^(src|webview|bench|scripts)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|native/build|\\.code-server)/' },
    // Type-only imports are dependencies too: a layer must not name another layer's types.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
