#!/usr/bin/env node
// Builds the optional oneDNN addon of the 'native' training backend
// (native/build/Release/resbuilder_native.node). Runs as the package's install script, so it
// never fails the install: when a prerequisite is missing or the build fails it prints one
// line saying why and exits 0, and the trainer uses another backend.
// Set RESBUILDER_SKIP_NATIVE=1 to skip; RESBUILDER_NATIVE_STRICT=1 makes a failure exit 1.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const nativeDir = path.join(root, 'native');
const output = path.join(nativeDir, 'build', 'Release', 'resbuilder_native.node');
const logFile = path.join(nativeDir, 'build', 'build.log');
const strict = process.env.RESBUILDER_NATIVE_STRICT === '1';

function skip(reason) {
  console.log(`resbuilder native backend: not built (${reason}); training uses the other backends.`);
  process.exit(strict ? 1 : 0);
}

function hasCommand(command, args) {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return !result.error && result.status === 0;
}

function findHeader() {
  const dirs = ['/usr/include', '/usr/local/include', '/opt/homebrew/include'];
  for (const entry of (process.env.CPATH || '').split(path.delimiter)) if (entry) dirs.unshift(entry);
  return dirs.find((dir) => fs.existsSync(path.join(dir, 'oneapi', 'dnnl', 'dnnl.hpp')));
}

function resolveOptional(id) {
  try {
    return require.resolve(id, { paths: [root] });
  } catch {
    return undefined;
  }
}

// node-gyp downloads Node's headers unless it is pointed at an installation that has them;
// distribution packages of Node ship them under <prefix>/include/node.
function nodeDirArgs() {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

function main() {
  if (process.env.RESBUILDER_SKIP_NATIVE === '1') skip('RESBUILDER_SKIP_NATIVE=1');
  if (process.platform !== 'linux' && process.platform !== 'darwin') skip(`unsupported platform ${process.platform}`);
  if (!hasCommand('c++', ['--version']) && !hasCommand('g++', ['--version'])) skip('no C++ compiler found (install g++)');
  if (!hasCommand('make', ['--version'])) skip('make not found');
  if (!findHeader()) skip('oneDNN headers (oneapi/dnnl/dnnl.hpp) not found; install libdnnl-dev');
  const nodeGyp = resolveOptional('node-gyp/bin/node-gyp.js');
  if (!nodeGyp) skip('node-gyp is not installed');
  if (!resolveOptional('node-addon-api')) skip('node-addon-api is not installed');

  const jobs = String(Math.max(1, Math.min(4, require('node:os').cpus().length)));
  const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--directory=${nativeDir}`, '-j', jobs, ...nodeDirArgs()],
    { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.writeFileSync(logFile, `${result.stdout || ''}\n${result.stderr || ''}`);
  if (result.error || result.status !== 0 || !fs.existsSync(output)) {
    skip(`the build failed; see ${path.relative(root, logFile)}`);
  }
  console.log(`resbuilder native backend: built ${path.relative(root, output)}`);
}

main();
