/**
 * End to end in a real VS Code (code-server + Chromium): the extension activates on a config,
 * shows its CodeLens and its problems, runs a tiny search whose panel draws the network, and
 * stops a run so that it can be resumed. Screenshots go to .test-artifacts/e2e/.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { finishedSearch, readEvents, until } from './harness/runs';
import { useWorkbench } from './harness/session';
import { closeActiveEditor, codeLens, openFile, problems, runCommand, screenshot, webviewFrame } from './harness/workbench';

const FIXTURES = path.join(__dirname, 'fixtures');

describe('ResBuilder Studio in code-server', function () {
  this.timeout(15 * 60_000);
  const session = useWorkbench({
    name: 'extension',
    bundles: ['extension.js', 'webview.js', 'trainer.js'],
    prepare: (workspace) => {
      for (const f of fs.readdirSync(FIXTURES)) fs.copyFileSync(path.join(FIXTURES, f), path.join(workspace, f));
    },
    settings: { 'resbuilder.stopTimeoutSeconds': 60 },
  });
  let workspace: string;
  let page: Page;
  before(() => {
    workspace = session.workspace;
    page = session.page;
  });

  it('activates on a config and shows the Run search CodeLens', async () => {
    await openFile(page, 'tiny.resbuilder.yaml');
    await codeLens(page, 'Run search').waitFor({ timeout: 120_000 });
    await page.locator('.activitybar .action-item [aria-label^="ResBuilder"]').first().waitFor();
    await screenshot(page, '01-codelens');
  });

  it('shows a config error at its place in the Problems panel, and updates it while typing', async () => {
    await openFile(page, 'broken.resbuilder.yaml');
    const rows = await problems(page);
    const row = rows.find((r) => r.includes('validationSplit'));
    assert.ok(row, `no validationSplit problem among: ${rows.join(' | ')}`);
    assert.match(row, /Ln 4, Col 20/);
    await screenshot(page, '02-problems');

    // Fix the value in the editor: the problem goes away without saving.
    await openFile(page, 'broken.resbuilder.yaml');
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').fill(':4');
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.type('validationSplit: 0.2');
    await page.locator('.markers-panel .monaco-tl-row', { hasText: 'broken.resbuilder.yaml' }).waitFor({ state: 'detached', timeout: 30_000 });
    const fixed = await page.locator('.monaco-editor .view-lines').first().innerText();
    assert.match(fixed, /validationSplit:\s0\.2/);
    // Leave the file as it was and close it, so no later step runs it.
    await runCommand(page, 'File: Revert File');
    await closeActiveEditor(page, 'broken.resbuilder.yaml');
  });

  it('runs a tiny search: the panel draws the stack and a structural change, the .arch.json appears', async () => {
    const runsDir = path.join(workspace, '.resbuilder', 'runs');
    await openFile(page, 'tiny.resbuilder.yaml');
    await codeLens(page, 'Run search').click();
    await codeLens(page, 'Stop').waitFor({ timeout: 60_000 });
    await until('run-started in events.jsonl', 5 * 60_000, () => readEvents(runsDir).some((e) => e.type === 'run-started'));

    const panel = webviewFrame(page);
    await panel.locator('[data-layer-id]').first().waitFor({ timeout: 5 * 60_000 });
    await screenshot(page, '03-panel-running');

    await finishedSearch(runsDir, 12 * 60_000);
    await panel.locator('[data-change]').first().waitFor({ timeout: 60_000 });
    assert.ok(fs.existsSync(path.join(workspace, 'tiny.arch.json')), 'tiny.arch.json was not written next to the config');
    await codeLens(page, 'Open architecture').waitFor({ timeout: 60_000 });
    await screenshot(page, '04-panel-finished');
  });

  it('stops a run and leaves it resumable', async () => {
    const runsDir = path.join(workspace, '.resbuilder', 'runs');
    const runIdsBefore = new Set(readEvents(runsDir).map((e) => e.runId));
    await openFile(page, 'long.resbuilder.yaml');
    await codeLens(page, 'Run search').click();
    const fresh = (): ReturnType<typeof readEvents> => readEvents(runsDir).filter((e) => !runIdsBefore.has(e.runId));
    // The trainer can resume from its last checkpoint: stop once there is one.
    await until('the first checkpoint', 5 * 60_000, () => fresh().some((e) => e.type === 'checkpoint'));
    await openFile(page, 'long.resbuilder.yaml');
    await codeLens(page, 'Stop').click();
    const stopped = await until('stopped', 3 * 60_000, () => fresh().find((e) => e.type === 'stopped' || e.type === 'finished' || e.type === 'failed'));
    assert.equal(stopped.type, 'stopped');
    assert.equal(stopped.resumable, true);
    await codeLens(page, 'Resume').waitFor({ timeout: 60_000 });
    await screenshot(page, '05-stopped');
    await runCommand(page, 'ResBuilder: Show Trainer Log');
  });

  it('restores the run panel after a reload and lists the runs with their state', async () => {
    await page.reload();
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    // The restored panel replays its run from events.jsonl.
    await webviewFrame(page).locator('[data-layer-id]').first().waitFor({ timeout: 120_000 });
    await page.locator('.activitybar .action-item [aria-label^="ResBuilder"]').first().click();
    await page.locator('.monaco-list-row', { hasText: /tiny · .*finished/ }).first().waitFor({ timeout: 60_000 });
    await page.locator('.monaco-list-row', { hasText: /long · .*resumable/ }).first().waitFor({ timeout: 60_000 });
    await screenshot(page, '06-restored-and-runs-view');
  });
});
