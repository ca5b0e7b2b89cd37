#!/usr/bin/env node
// `npm run package`: writes the platform-specific .vsix of this machine's platform
// (resbuilder-studio-<target>-<version>.vsix), with the native addon built here inside.
// vsce runs `npm run build` first (vscode:prepublish); .vscodeignore says what goes in.
// Fails when vsce warns, or when the package has 300 files or more or reaches 25 MB.
// Options: --out <file>; --target <vsce target> (default: this machine's).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAX_FILES = 300;
const MAX_BYTES = 25 * 1024 * 1024;
const ADDON = path.join('native', 'build', 'Release', 'resbuilder_native.node');

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

function option(name) {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}

/** vsce's name for this machine's platform; its binaries (sharp, the native addon) are inside. */
function thisTarget() {
  const arch = { x64: 'x64', arm64: 'arm64', arm: 'armhf' }[process.arch];
  const os = { linux: 'linux', darwin: 'darwin', win32: 'win32' }[process.platform];
  if (!arch || !os) fail(`no VS Code package target for ${process.platform}-${process.arch}`);
  const musl = os === 'linux' && !process.report?.getReport().header.glibcVersionRuntime;
  return `${musl ? 'alpine' : os}-${arch}`;
}

const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const target = option('--target') ?? thisTarget();
const out = path.resolve(option('--out') ?? `${manifest.name}-${target}-${manifest.version}.vsix`);

if (!fs.existsSync(path.join(root, ADDON))) {
  spawnSync(process.execPath, [path.join(root, 'scripts', 'build-native.js')], { cwd: root, stdio: 'inherit' });
}
if (!fs.existsSync(path.join(root, ADDON))) {
  console.warn(`package: ${ADDON} is not built here, so the package has no native backend; the installed extension trains on wasm.`);
}

const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
const result = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--target', target, '--out', out],
  { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
process.stdout.write(result.stdout ?? '');
process.stderr.write(result.stderr ?? '');
if (result.status !== 0) fail(`vsce package failed (exit ${result.status ?? result.signal})`);
if (/WARNING/i.test(`${result.stdout}\n${result.stderr}`)) fail('vsce warned (above); the package must build without warnings');

const packaged = /\((\d+) files?, /.exec(result.stdout ?? '');
if (!packaged) fail('could not read the file count from vsce\'s output');
const files = Number(packaged[1]);
const bytes = fs.statSync(out).size;
const megabytes = (bytes / 1024 / 1024).toFixed(1);
console.log(`package: ${path.relative(process.cwd(), out)}: ${target}, ${files} files, ${megabytes} MB`);
if (files >= MAX_FILES) fail(`${files} files; the package must stay under ${MAX_FILES} (check .vscodeignore)`);
if (bytes >= MAX_BYTES) fail(`${megabytes} MB; the package must stay under ${MAX_BYTES / 1024 / 1024} MB`);
