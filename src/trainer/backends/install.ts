/**
 * Installs a tfjs-node backend package into a folder with npm (`npm install --prefix <dir>`),
 * only when a user asks (`resbuilder backends install`, "ResBuilder: Install GPU Backend…").
 * npm reads its own configuration (.npmrc, npm_config_* and proxy variables) from the
 * environment it inherits; the package's install script then downloads libtensorflow, which
 * is what usually fails behind a firewall: the failure names the download and the offline way
 * (docs/gpu.md, "Installing without internet access").
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { version as tfjsVersion } from '@tensorflow/tfjs/package.json';
import type { InstallableBackend } from '../../protocol/backend-install';
import type { BackendModuleInfo } from '../../protocol/backend-modules';
import { BACKEND_PACKAGES } from './candidates';
import { lookupBackendModule } from './module-locations';

export interface InstallOptions {
  backend: InstallableBackend;
  /** The install prefix: packages land in `<dir>/node_modules`. */
  dir: string;
  /** A local tarball or package folder to install instead of the registry's package. */
  from?: string;
  /** The npm to run; default RESBUILDER_NPM or `npm` on the PATH. */
  npm?: string;
  env?: NodeJS.ProcessEnv;
  /** Every line npm and the package's install script print. */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

export interface InstallOutcome {
  spec: string;
  command: string;
  installed: boolean;
  module?: BackendModuleInfo;
  failure?: string;
  offline?: string;
}

/** The package version that matches the project's @tensorflow/tfjs (tfjs-node pins the same tfjs). */
export function matchingVersion(): string {
  return tfjsVersion;
}

export function packageSpec(backend: InstallableBackend, from?: string): string {
  if (from !== undefined) return path.resolve(from);
  return `${BACKEND_PACKAGES[backend]}@${matchingVersion()}`;
}

/** npm's arguments; --foreground-scripts so the install script's download shows in the log. */
export function npmArguments(dir: string, spec: string): string[] {
  return ['install', '--prefix', dir, '--no-audit', '--no-fund', '--foreground-scripts', spec];
}

/** The folder's own package.json, so npm installs here and does not look for a project above it. */
function preparePrefix(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const manifest = path.join(dir, 'package.json');
  if (!fs.existsSync(manifest)) {
    const json = { name: 'resbuilder-backend-modules', private: true, description: 'Compute backend packages installed by ResBuilder Studio (resbuilder backends install).' };
    fs.writeFileSync(manifest, `${JSON.stringify(json, null, 2)}\n`);
  }
}

const NETWORK_CODES = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|CERT_[A-Z_]+|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|E40[0-9]|E5\d\d)\b/;

function libtensorflowArchive(backend: InstallableBackend): string {
  return `libtensorflow-${backend === 'tensorflow-gpu' ? 'gpu' : 'cpu'}-linux-x86_64-2.9.1.tar.gz`;
}

/** The offline ways, for a failed libtensorflow download. */
export function libtensorflowOffline(backend: InstallableBackend): string {
  const pkg = BACKEND_PACKAGES[backend] ?? '';
  return (
    `Without internet access: put ${libtensorflowArchive(backend)} (from a machine that has access: ` +
    `https://storage.googleapis.com/tensorflow/libtensorflow/${libtensorflowArchive(backend)}) under ` +
    `<mirror>/tensorflow/libtensorflow/ on an HTTP server you can reach (python3 -m http.server serves a folder) and set ` +
    `TFJS_NODE_CDN_STORAGE=<mirror URL ending in />, or set TFJS_NODE_BASE_URI to the URL up to and including "libtensorflow-"; ` +
    `the prebuilt addon comes from the same bucket unless npm_config_tfjs_binding_binary_host_mirror points elsewhere ` +
    `(without it, the addon is compiled, which needs a C++ compiler). Or install ${pkg} on a machine with access and copy its ` +
    `folder here, then point resbuilder.backendModulesPath (or --backend-modules, RESBUILDER_BACKEND_MODULES) at it. docs/gpu.md has the details.`
  );
}

/** The offline way, for a package npm could not fetch. */
export function packageOffline(backend: InstallableBackend): string {
  const spec = packageSpec(backend);
  return (
    `Check npm's registry and proxy settings (npm config get registry / proxy / https-proxy; VS Code's http.proxy is passed on). ` +
    `Without access to the registry: run "npm pack ${spec}" on a machine that has it and install the tarball with ` +
    `"resbuilder backends install ${backend} --from <file.tgz>" (its install still downloads libtensorflow: see TFJS_NODE_CDN_STORAGE in docs/gpu.md), ` +
    `or copy an installed folder and point resbuilder.backendModulesPath at it.`
  );
}

/** What went wrong, from npm's exit and what it printed. */
export function classifyFailure(backend: InstallableBackend, spec: string, code: number | null, lines: readonly string[]): { failure: string; offline?: string } {
  const text = lines.join('\n');
  const downloadAt = lines.findIndex((l) => l.includes('Downloading libtensorflow'));
  if (downloadAt >= 0) {
    const url = lines.slice(downloadAt + 1).find((l) => /^https?:\/\//.test(l.trim()))?.trim();
    const code = NETWORK_CODES.exec(lines.slice(downloadAt).join('\n'))?.[1];
    return {
      failure: `the package's install script could not download libtensorflow${url ? ` from ${url}` : ''}${code ? ` (${code})` : ''}`,
      offline: libtensorflowOffline(backend),
    };
  }
  if (/node-pre-gyp install failed/.test(text)) {
    return {
      failure: 'the package\'s install script could not download or build the tfjs_binding addon (node-pre-gyp install failed)',
      offline: libtensorflowOffline(backend),
    };
  }
  const network = NETWORK_CODES.exec(lines.filter((l) => /npm (ERR|error)/.test(l)).join('\n'));
  if (network) {
    return { failure: `npm could not download ${spec} from the registry (${network[1]})`, offline: packageOffline(backend) };
  }
  const errors = lines.filter((l) => /npm (ERR|error)/.test(l)).slice(0, 4).map((l) => l.replace(/^npm (ERR!|error)\s*/, ''));
  return { failure: `npm install exited with ${code === null ? 'a signal' : `code ${code}`}${errors.length > 0 ? `: ${errors.join(' / ')}` : ''}` };
}

function quote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Runs npm; resolves with what was installed or what failed, never rejects. */
export function installBackendPackage(opts: InstallOptions): Promise<InstallOutcome> {
  const env = opts.env ?? process.env;
  const npm = opts.npm ?? env.RESBUILDER_NPM ?? 'npm';
  const dir = path.resolve(opts.dir);
  const spec = packageSpec(opts.backend, opts.from);
  const args = npmArguments(dir, spec);
  const command = [npm, ...args].map(quote).join(' ');
  const lines: string[] = [];
  const emit = (line: string): void => {
    if (lines.length < 5000) lines.push(line);
    opts.onLine?.(line);
  };
  if (opts.from !== undefined && !fs.existsSync(spec)) {
    return Promise.resolve({ spec, command, installed: false, failure: `--from: ${spec} does not exist; give an npm package tarball (npm pack) or folder.` });
  }
  try {
    preparePrefix(dir);
  } catch (error) {
    return Promise.resolve({ spec, command, installed: false, failure: `cannot create ${dir}: ${(error as Error).message}` });
  }
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: InstallOutcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    emit(`$ ${command}`);
    const child = spawn(npm, args, {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // npm is npm.cmd on Windows, which only a shell starts.
      shell: process.platform === 'win32',
      signal: opts.signal,
    });
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (rest + chunk).split(/\r?\n|\r/);
        rest = parts.pop() ?? '';
        for (const part of parts) if (part.trim() !== '') emit(part);
      });
      stream.on('end', () => {
        if (rest.trim() !== '') emit(rest);
        rest = '';
      });
    }
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') {
        finish({ spec, command, installed: false, failure: 'the install was cancelled' });
        return;
      }
      const failure = error.code === 'ENOENT'
        ? `${npm} was not found: install Node.js with npm, put npm on the PATH, or set RESBUILDER_NPM to its path`
        : `${npm} could not be started: ${error.message}`;
      finish({ spec, command, installed: false, failure });
    });
    child.on('close', (code, signal) => {
      if (opts.signal?.aborted) {
        finish({ spec, command, installed: false, failure: 'the install was cancelled' });
        return;
      }
      const lookup = lookupBackendModule(BACKEND_PACKAGES[opts.backend] ?? '', { modulesPath: dir });
      if (code === 0 && signal === null && lookup.found && lookup.module.source === 'path') {
        finish({ spec, command, installed: true, module: lookup.module });
        return;
      }
      const classified = code === 0
        ? { failure: `npm finished but ${BACKEND_PACKAGES[opts.backend]} is not in ${path.join(dir, 'node_modules')}; the installed package has another name` }
        : classifyFailure(opts.backend, spec, code, lines);
      finish({ spec, command, installed: false, ...classified });
    });
  });
}
