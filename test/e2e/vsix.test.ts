/**
 * The published form of the extension, end to end: `npm run package` writes the platform .vsix,
 * code-server installs it with its own installer into an empty extensions folder (no link to
 * this checkout, no node_modules beside it), and a tiny search runs from it on the native
 * backend the package carries. Screenshots go to .test-artifacts/e2e/.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './harness/codeServer';
import { finishedSearch, readEvents, until } from './harness/runs';
import { useWorkbench } from './harness/session';
import { codeLens, openFile, screenshot, webviewFrame } from './harness/workbench';

// backend: native, not auto: a package whose addon did not load must fail this test, not
// quietly train on wasm.
const CONFIG = `# A tiny search from the installed package.
mode: search
preset: quick
seed: 11
backend: native
dataset:
  source: mnist
  limit: 512
search:
  cycles: 1
  insertionsPerCycle: 1
  epochsPerTraining: 1
  finalEpochs: 1
`;

describe('the packaged .vsix installed into code-server', function () {
  this.timeout(20 * 60_000);
  const session = useWorkbench({
    name: 'vsix',
    prepare: (scratch) => {
      const vsix = path.join(scratch, 'resbuilder-studio.vsix');
      const output = execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'package.mjs'), '--out', vsix],
        { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      assert.match(output, /package: .*: linux-x64, \d+ files, [\d.]+ MB/);
      const workspace = path.join(scratch, 'workspace');
      fs.mkdirSync(workspace);
      fs.writeFileSync(path.join(workspace, 'packaged.resbuilder.yaml'), CONFIG);
      return { workspace, vsix };
    },
    settings: { 'resbuilder.stopTimeoutSeconds': 60 },
  });
  let workspace: string;
  let page: Page;
  before(() => {
    workspace = session.workspace;
    page = session.page;
  });

  it('installs as a real folder holding the bundles, without node_modules of its own', () => {
    const extensions = path.join(session.server.home, 'extensions');
    const installed = fs.readdirSync(extensions).filter((name) => name.startsWith('resbuilder.resbuilder-studio-'));
    assert.equal(installed.length, 1, `installed extensions: ${fs.readdirSync(extensions).join(', ')}`);
    const folder = path.join(extensions, installed[0]);
    assert.ok(!fs.lstatSync(folder).isSymbolicLink(), `${folder} is a link, not an installed package`);
    for (const file of ['dist/extension.js', 'dist/trainer.js', 'dist/webview.js', 'dist/tfjs-backend-wasm-simd.wasm', 'native/build/Release/resbuilder_native.node', 'LICENSE.txt']) {
      assert.ok(fs.existsSync(path.join(folder, file)), `${file} is not in the installed package`);
    }
    assert.ok(!fs.existsSync(path.join(folder, 'node_modules')), 'the package ships a top-level node_modules');
    assert.ok(!fs.existsSync(path.join(folder, 'src')), 'the package ships the TypeScript sources');
  });

  it('runs a tiny search from the installed package on its native backend', async () => {
    const runsDir = path.join(workspace, '.resbuilder', 'runs');
    // Opening the Runs view activates the extension even where the workspace search behind
    // `workspaceContains` timed out (VS Code gives it a few seconds; a loaded machine needs more).
    await page.locator('.activitybar .action-item [aria-label^="ResBuilder"]').first().click({ timeout: 120_000 });
    await openFile(page, 'packaged.resbuilder.yaml');
    await codeLens(page, 'Run search').waitFor({ timeout: 120_000 });
    await codeLens(page, 'Run search').click();
    const started = await until('run-started in events.jsonl', 5 * 60_000, () => readEvents(runsDir).find((e) => e.type === 'run-started' || e.type === 'failed'));
    assert.equal(started.type, 'run-started', `the run failed before it started: ${JSON.stringify(started)}`);
    assert.equal(started.backend?.name, 'native');

    await webviewFrame(page).locator('[data-layer-id]').first().waitFor({ timeout: 5 * 60_000 });
    await finishedSearch(runsDir, 12 * 60_000);
    assert.ok(fs.existsSync(path.join(workspace, 'packaged.arch.json')), 'packaged.arch.json was not written next to the config');
    await screenshot(page, 'vsix-01-finished');
  });
});
