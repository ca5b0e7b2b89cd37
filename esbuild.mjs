// Builds the three bundles (extension host, trainer, webview) and the benchmark scripts. The
// extension host and the trainer bundle every JavaScript dependency, so the packaged extension
// needs no node_modules for them; only native binaries stay outside (sharp's addon and libvips,
// and the optional tfjs-node packages, loaded at run time where they are installed). Files a
// bundle cannot hold (.wasm binaries, native addons, data) are found beside it at run time.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { buildWasmKernels } from './scripts/build-wasm-kernels.mjs';
import { copyRuntimeFiles } from './scripts/copy-runtime-files.mjs';

const watch = process.argv.includes('--watch');
const common = { bundle: true, sourcemap: true, logLevel: 'warning', target: 'es2022' };
const nodeCommon = { ...common, platform: 'node', format: 'cjs', packages: 'external' };

// Native binaries, required at run time from node_modules: sharp's per-platform addon and
// libvips (sharp's JavaScript is bundled), and the optional tfjs-node packages, used where they
// are installed.
const TRAINER_EXTERNAL = ['@img/sharp-*', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];
// The trainer looks some files up at run time with require.resolve (tfjs-backend-wasm's folder
// when run from sources, tsx for workers started from sources); those lookups are meant to stay.
// The bare import of tfjs-backend-cpu (for its kernels' registration) is dropped as side-effect
// free, but the module is bundled all the same: tfjs and the native backend import from it.
const TRAINER_LOG = { 'require-resolve-not-external': 'silent', 'ignored-bare-import': 'silent' };

// tfjs-backend-wasm's binaries beside the trainer bundle (wasm-init.ts looks there first): the
// SIMD one and the plain one for CPUs without wasm SIMD. Node has no wasm threads in TF.js.
const WASM_BINARIES = ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm'];

// ES modules in the trainer bundle (sharp's, which the `import` in TypeScript selects) resolve
// their native files with createRequire(import.meta.url): point that at the bundle's own file,
// so they look in node_modules beside the extension.
const IMPORT_META_URL = {
  define: { 'import.meta.url': '__bundleFileUrl' },
  banner: { js: "const __bundleFileUrl = require('node:url').pathToFileURL(__filename).href;" },
};

// Vega's canvas module probes for the optional `canvas` package with a top-level await, which a
// CommonJS bundle cannot hold. The report's pictures are drawn as SVG without a canvas, so the
// trainer takes the module's browser build, which finds no canvas in Node and says so (null).
const vegaCanvasNode = createRequire(import.meta.url).resolve('vega-canvas');
const VEGA_CANVAS = { alias: { 'vega-canvas': path.join(path.dirname(vegaCanvasNode), 'vega-canvas.browser.js') } };

const builds = [
  { ...nodeCommon, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist', external: ['vscode'], packages: undefined },
  { ...nodeCommon, entryPoints: { trainer: 'src/trainer/cli/main.ts' }, outdir: 'dist', packages: undefined, external: TRAINER_EXTERNAL, logOverride: TRAINER_LOG, ...IMPORT_META_URL, ...VEGA_CANVAS },
  { ...common, platform: 'browser', format: 'iife', entryPoints: { webview: 'webview/main.ts' }, outdir: 'dist' },
  { ...nodeCommon, entryPoints: ['bench/*.ts'], outdir: 'dist/bench' },
];

// The trainer bundle loads the wasm backend's SIMD kernels from dist/ at run time.
await buildWasmKernels('dist/resbuilder-kernels.wasm');
const wasmPackage = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
for (const file of WASM_BINARIES) fs.copyFileSync(path.join(wasmPackage, file), path.join('dist', file));
copyRuntimeFiles('.', 'dist');

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
