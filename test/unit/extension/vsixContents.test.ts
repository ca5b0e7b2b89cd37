/**
 * What `vsce package` would put into the .vsix (listed with `vsce ls`): the bundles, media,
 * schema and manifest, and exactly the run-time dependency closure of the trainer bundle;
 * no sources, tests, local state, source maps or build intermediates.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
/** Needed only to build the native addon at `npm install`, not at run time. */
const BUILD_ONLY = new Set(['node-gyp', 'node-addon-api']);
/** Type declarations that TF.js lists as dependencies; nothing loads them at run time. */
const isTypesOnly = (name: string): boolean => name.startsWith('@types/') || name === '@webgpu/types';

function vsceList(): Promise<string[]> {
  const bin = path.join(ROOT, 'node_modules', '.bin', 'vsce');
  return new Promise((resolve, reject) => {
    execFile(bin, ['ls'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`vsce ls failed: ${stderr || error.message}`));
      else resolve(stdout.split('\n').filter((l) => l.trim() !== ''));
    });
  });
}

function resolvePackageDir(name: string, fromDir: string): string | null {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

/** node_modules folders (relative to the root) the trainer may load: the production closure. */
function runtimeClosure(): Set<string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const seen = new Set<string>();
  const stack = Object.keys(manifest.dependencies)
    .filter((d) => !BUILD_ONLY.has(d))
    .map((d) => resolvePackageDir(d, ROOT));
  while (stack.length > 0) {
    const dir = stack.pop();
    if (!dir || seen.has(dir)) continue;
    seen.add(dir);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})]) {
      if (!isTypesOnly(dep)) stack.push(resolvePackageDir(dep, dir));
    }
  }
  return new Set([...seen].map((d) => path.relative(ROOT, d).split(path.sep).join('/')));
}

/** `node_modules/a/node_modules/@s/b/lib/x.js` → `node_modules/a/node_modules/@s/b`. */
function packageOf(file: string): string {
  const parts = file.split('/');
  let end = 0;
  for (let i = 0; i < parts.length - 1; i++) {
    if (parts[i] === 'node_modules') {
      end = i + (parts[i + 1].startsWith('@') ? 3 : 2);
      i = end - 1;
    }
  }
  return parts.slice(0, end).join('/');
}

describe('extension .vsix contents (vsce ls)', function () {
  this.timeout(120_000);
  let files: string[];
  before(async () => {
    files = await vsceList();
  });

  it('ships the manifest, the three bundles, media and the config schema', () => {
    for (const f of ['package.json', 'README.md', 'dist/extension.js', 'dist/trainer.js', 'dist/webview.js', 'dist/resbuilder-kernels.wasm', 'media/panel.css', 'media/resbuilder.svg', 'schemas/resbuilder.schema.json', 'third_party/onnx/onnx.proto', 'third_party/onnx/LICENSE']) {
      assert.ok(files.includes(f), `${f} is missing from the package`);
    }
  });

  it('leaves out sources, tests, local state, source maps and build intermediates', () => {
    const forbidden = [/^src\//, /^webview\//, /^test\//, /^bench\//, /^scripts\//, /^scratch\//, /^\.code-server\//, /^\.test-artifacts\//, /^\.resbuilder\//, /^bench-results\//, /^dist\/bench\//, /^native\/src\//, /obj\.target\//, /\.map$/, /\.vsix$/, /(^|\/)tsconfig\.json$/];
    const offending = files.filter((f) => !f.startsWith('node_modules/') && forbidden.some((re) => re.test(f)));
    assert.deepEqual(offending, []);
  });

  it('ships exactly the run-time dependency closure, with the wasm binaries', () => {
    const closure = runtimeClosure();
    const shipped = new Set(files.filter((f) => f.startsWith('node_modules/')).map(packageOf));
    const extra = [...shipped].filter((p) => !closure.has(p)).sort();
    const missing = [...closure].filter((p) => !files.includes(`${p}/package.json`)).sort();
    assert.deepEqual(extra, [], `not needed at run time; remove their "!…" lines from .vscodeignore`);
    assert.deepEqual(missing, [], `needed at run time; add "!<folder>/**" lines to .vscodeignore for them`);
    for (const f of ['node_modules/@tensorflow/tfjs/dist/tf.node.js', 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm']) {
      assert.ok(files.includes(f), `${f} is missing from the package`);
    }
  });
});
