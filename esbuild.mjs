// Builds the three bundles of design.md (extension host, trainer, webview) and the benchmark
// scripts. Runtime packages with native parts or .wasm files stay external to the node bundles
// and are loaded from node_modules.
import * as esbuild from 'esbuild';
import { buildWasmKernels } from './scripts/build-wasm-kernels.mjs';

const watch = process.argv.includes('--watch');
const common = { bundle: true, sourcemap: true, logLevel: 'warning', target: 'es2022' };
const nodeCommon = { ...common, platform: 'node', format: 'cjs', packages: 'external' };

const builds = [
  { ...nodeCommon, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist', external: ['vscode'], packages: undefined },
  { ...nodeCommon, entryPoints: { trainer: 'src/trainer/cli/main.ts' }, outdir: 'dist' },
  { ...common, platform: 'browser', format: 'iife', entryPoints: { webview: 'webview/main.ts' }, outdir: 'dist' },
  { ...nodeCommon, entryPoints: ['bench/*.ts'], outdir: 'dist/bench' },
];

// The trainer bundle loads the wasm backend's SIMD kernels from dist/ at run time.
await buildWasmKernels('dist/resbuilder-kernels.wasm');

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
