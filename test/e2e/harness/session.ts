/**
 * One code-server and one browser for a `describe` block: a fresh workspace folder, the
 * workbench opened on it, a screenshot and code-server's log for every failed test, and
 * everything stopped and removed afterwards.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT, startCodeServer, type CodeServer } from './codeServer';
import { ARTIFACTS, openWorkbench, screenshot, type Workbench } from './workbench';

export interface SessionOptions {
  /** Names the temporary folder and the failure artefacts. */
  name: string;
  /** Bundles under dist/ the tests need (a missing one means `npm run build` was not run). */
  bundles?: string[];
  /**
   * Fills the new temporary folder before code-server starts (Quick Open only knows files that
   * exist then). Returns the workspace when it is not the folder itself, and a `.vsix` to install
   * instead of linking this checkout.
   */
  prepare(folder: string): { workspace?: string; vsix?: string } | void;
  settings?: Record<string, unknown>;
}

export interface Session {
  readonly workspace: string;
  readonly page: Page;
  readonly server: CodeServer;
}

/** Registers the block's before/afterEach/after hooks; the session's fields are set once `before` ran. */
export function useWorkbench(options: SessionOptions): Session {
  let folder: string | undefined;
  let workspace: string | undefined;
  let server: CodeServer | undefined;
  let workbench: Workbench | undefined;

  before(async function () {
    for (const bundle of options.bundles ?? []) {
      assert.ok(fs.existsSync(path.join(REPO_ROOT, 'dist', bundle)), `dist/${bundle} is missing: run "npm run build" first`);
    }
    folder = fs.mkdtempSync(path.join(os.tmpdir(), `resbuilder-e2e-${options.name}-`));
    const prepared = options.prepare(folder) ?? {};
    workspace = prepared.workspace ?? folder;
    server = await startCodeServer({ workspace, settings: options.settings ?? {}, ...(prepared.vsix ? { vsix: prepared.vsix } : {}) });
    workbench = await openWorkbench(server.url);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && workbench) {
      const name = `${options.name}-failed-${this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').toLowerCase().slice(0, 80)}`;
      await screenshot(workbench.page, name).catch(() => undefined);
      if (server) fs.writeFileSync(path.join(ARTIFACTS, `${name}.code-server.log`), server.log());
    }
  });

  after(async function () {
    await workbench?.close();
    await server?.stop();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the ${what} is not there: the session's before hook has not run or failed`);
    return value;
  };
  return {
    get workspace() { return started(workspace, 'workspace'); },
    get page() { return started(workbench, 'workbench').page; },
    get server() { return started(server, 'code-server'); },
  };
}
