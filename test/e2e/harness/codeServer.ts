/**
 * Starts code-server (VS Code's workbench over HTTP with a real Node extension host) on
 * loopback with private user-data and extension folders, the extension under test linked in
 * (or, for the package's test, installed from its .vsix).
 * Installed by scripts/e2e-setup.sh into .code-server/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const CODE_SERVER_BIN = path.join(
  process.env.RESBUILDER_CODE_SERVER_PREFIX ?? path.join(REPO_ROOT, '.code-server'),
  'node_modules',
  '.bin',
  'code-server',
);

export interface CodeServer {
  url: string;
  port: number;
  pid: number;
  /** Private folder holding user data, extensions and the log. */
  home: string;
  log(): string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  /** Folder opened as the workspace. */
  workspace: string;
  /** User settings written before start. */
  settings?: Record<string, unknown>;
  /**
   * A packaged extension to install (`code-server --install-extension`) into the private
   * extensions folder instead of linking this checkout there.
   */
  vsix?: string;
}

function extensionFolderName(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  return `${pkg.publisher}.${pkg.name}-${pkg.version}`;
}

/** Installs a .vsix as a user would, with code-server's own installer; throws with its output on failure. */
function installVsix(vsix: string, extensions: string, userData: string): void {
  const result = spawnSync(CODE_SERVER_BIN, ['--extensions-dir', extensions, '--user-data-dir', userData, '--install-extension', vsix],
    { encoding: 'utf8', timeout: 5 * 60_000 });
  if (result.status !== 0) {
    throw new Error(`code-server --install-extension ${vsix} failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
  }
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  if (!fs.existsSync(CODE_SERVER_BIN)) {
    throw new Error(`code-server is not installed at ${CODE_SERVER_BIN}; run "bash scripts/e2e-setup.sh" first.`);
  }
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-e2e-cs-'));
  const userData = path.join(home, 'data');
  const extensions = path.join(home, 'extensions');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(extensions, { recursive: true });
  if (options.vsix) installVsix(options.vsix, extensions, userData);
  else fs.symlinkSync(REPO_ROOT, path.join(extensions, extensionFolderName()), 'dir');
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'extensions.ignoreRecommendations': true,
        'update.mode': 'none',
        'window.restoreWindows': 'none',
        'files.watcherExclude': { '**/node_modules/**': true },
        ...options.settings,
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(path.join(home, 'config.yaml'), 'auth: none\ncert: false\n');

  const logFile = path.join(home, 'code-server.log');
  const logFd = fs.openSync(logFile, 'w');
  const args = [
    '--auth', 'none',
    '--bind-addr', '127.0.0.1:0',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--config', path.join(home, 'config.yaml'),
    '--user-data-dir', userData,
    '--extensions-dir', extensions,
    options.workspace,
  ];
  // A process group of its own, so the extension host and any trainer it forked go with it.
  const child: ChildProcess = spawn(CODE_SERVER_BIN, args, {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, VSCODE_PROXY_URI: '' },
  });
  fs.closeSync(logFd);
  const pid = child.pid!;
  const log = (): string => fs.readFileSync(logFile, 'utf8');

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };

  const port = await new Promise<number>((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const poll = (): void => {
      const match = /HTTP server listening on https?:\/\/[^:\s]+:(\d+)/.exec(log());
      if (match) return resolve(Number(match[1]));
      if (child.exitCode !== null) return reject(new Error(`code-server exited with ${child.exitCode}:\n${log()}`));
      if (Date.now() > deadline) return reject(new Error(`code-server did not start within 60 s:\n${log()}`));
      setTimeout(poll, 200);
    };
    poll();
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(options.workspace)}`, port, pid, home, log, stop };
}
