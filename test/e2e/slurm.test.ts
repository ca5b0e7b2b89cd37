/**
 * Slurm from the editor, end to end: code-server with `sbatch` on its PATH and the real one-node
 * cluster of test/slurm/cluster-hooks.ts. The Submit to Slurm… lens submits a 3-seed array of a
 * tiny search, the Slurm Sweeps view shows its tasks' states, and the run panel opened on a
 * running task follows its events.jsonl, which the task writes outside this window
 * (docs/cluster.md, "From VS Code: Remote-SSH to a login node").
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { startTestCluster, stopTestCluster } from '../slurm/cluster-hooks';
import { tinySearchConfig } from '../tiny-search';
import { readEvents, until } from './harness/runs';
import { useWorkbench } from './harness/session';
import { codeLens, openFile, screenshot, webviewFrame } from './harness/workbench';

/** The Slurm Sweeps view's task rows, as shown: `task <i> · seed <s>` and the state. */
function taskRows(page: Page): Promise<string[]> {
  return page.locator('.monaco-list-row', { hasText: /^task \d+ · seed \d+/ }).filter({ visible: true }).allInnerTexts();
}

/**
 * Each task trains on 576 images, three times the Slurm tests' tiny search: the panel must open
 * while task 2 still runs, and on a loaded machine the view's poll, the click and the webview's
 * first draw together took longer than a 192-image task lasts.
 */
const CONFIG = tinySearchConfig(576);

describe('Submit to Slurm from code-server', function () {
  this.timeout(20 * 60_000);
  // Before code-server starts: its extension host inherits SLURM_CONF (set by cluster-hooks).
  before(function () {
    this.timeout(15 * 60_000);
    startTestCluster();
  });
  const session = useWorkbench({
    name: 'slurm',
    bundles: ['extension.js', 'webview.js', 'trainer.js'],
    prepare: (workspace) => fs.writeFileSync(path.join(workspace, 'tiny.resbuilder.yaml'), CONFIG),
    // The least the view allows, so the states change within the test.
    settings: { 'resbuilder.slurm.pollSeconds': 10 },
  });
  // Registered after the session's hooks, so it runs after code-server has stopped.
  after(function () {
    this.timeout(2 * 60_000);
    stopTestCluster();
  });

  const sweepDir = (): string => path.join(session.workspace, '.resbuilder', 'sweeps', 'tiny-001');

  it('submits a 3-seed job array from the Submit to Slurm… lens', async () => {
    const { page } = session;
    await openFile(page, 'tiny.resbuilder.yaml');
    await codeLens(page, 'Submit to Slurm…').click({ timeout: 120_000 });
    const input = page.locator('.quick-input-widget input');
    await page.locator('.quick-input-widget', { hasText: 'seeds' }).waitFor({ timeout: 30_000 });
    await input.fill('1,2,3');
    await page.keyboard.press('Enter');
    // The partitions come from sinfo.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: /^debug/ }).first().click({ timeout: 30_000 });
    await page.locator('.quick-input-widget', { hasText: 'time limit' }).waitFor({ timeout: 30_000 });
    await input.fill('0:20:00');
    await page.keyboard.press('Enter');
    await page.locator('.notifications-toasts', { hasText: /Submitted sweep tiny-001 as job \d+ \(3 tasks\)/ }).waitFor({ timeout: 120_000 });
    const manifest = JSON.parse(fs.readFileSync(path.join(sweepDir(), 'sweep.json'), 'utf8')) as { tasks: { seed: number }[] };
    assert.deepEqual(manifest.tasks.map((t) => t.seed), [1, 2, 3]);
    const script = fs.readFileSync(path.join(sweepDir(), 'sweep.sbatch'), 'utf8');
    assert.match(script, /^#SBATCH --array=0-2$/m);
    assert.match(script, /^#SBATCH --partition=debug$/m);
    assert.match(script, /^#SBATCH --time=0:20:00$/m);
    await page.locator('.monaco-list-row', { hasText: /tiny-001\s*job \d+/ }).first().waitFor({ timeout: 60_000 });
    await screenshot(page, 'slurm-01-submitted');
  });

  it('shows the array tasks\' Slurm states in the Sweeps view: as many running as the node has cores, the rest pending', async () => {
    const { page } = session;
    // One core per task: on the usual 2-core test machine the third task waits for a free core.
    const cores = Number(execFileSync('sinfo', ['-h', '-o', '%c'], { encoding: 'utf8' }).trim().split('\n')[0]);
    assert.ok(cores >= 1, `sinfo gave no core count: ${cores}`);
    const running = Math.min(3, cores);
    const rows = await until(`${running} running tasks and ${3 - running} pending`, 5 * 60_000, async () => {
      const shown = await taskRows(page);
      const count = (state: RegExp): number => shown.filter((r) => state.test(r)).length;
      return shown.length === 3 && count(/running/) === running && count(/pending/) === 3 - running && shown;
    });
    for (const row of rows.filter((r) => /pending/.test(r))) assert.match(row, /pending \((Resources|Priority)\)/);
    await screenshot(page, 'slurm-02-states');
  });

  it('opens a running task in the run panel, which follows its events as the task writes them', async () => {
    const { page } = session;
    // The last task to start has the most of its run ahead when the panel opens.
    const row = page.locator('.monaco-list-row', { hasText: 'task 2 · seed 3' }).first();
    await until('task 2 running in the view', 5 * 60_000, async () => /running/.test(await row.innerText()));
    const runDir = path.join(sweepDir(), 'runs', 'tiny-001-task002');
    // A click while the view redraws its rows (each poll) can select the row without opening it.
    const tab = page.locator('.tab', { hasText: 'tiny-001-task002' });
    await until('the run panel of task 2', 2 * 60_000, async () => {
      await row.click();
      return tab.waitFor({ timeout: 10_000 }).then(() => true, () => false);
    });
    const panel = webviewFrame(page);
    await panel.locator('[data-layer-id]').first().waitFor({ timeout: 2 * 60_000 });
    // The panel shows the task still running, so what comes next reaches it live, not in its replay.
    await panel.locator('.status', { hasText: /^running$/ }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'slurm-03-panel-following');
    await panel.locator('.status', { hasText: /^finished$/ }).waitFor({ timeout: 8 * 60_000 });
    const recorded = readEvents(path.dirname(runDir)).filter((e) => e.runId === path.basename(runDir));
    assert.ok(recorded.some((e) => e.type === 'finished'), 'the task wrote its finished event');
    // Every structural change the task made is drawn in the panel's list of changes.
    const changes = recorded.filter((e) => e.type === 'structural-change').length;
    assert.ok(changes > 0, 'the search made a structural change');
    assert.equal(await panel.locator('[data-change]').count(), changes);
    await screenshot(page, 'slurm-04-panel-finished');
  });

  it('shows every task completed once the array is done', async () => {
    const { page } = session;
    await until('three completed tasks in the view', 10 * 60_000, async () => {
      const shown = await taskRows(page);
      return shown.length === 3 && shown.every((r) => /completed/.test(r));
    });
    await page.locator('.monaco-list-row', { hasText: /tiny-001\s*job \d+ · 3 completed/ }).first().waitFor({ timeout: 30_000 });
    for (const i of [0, 1, 2]) assert.ok(fs.existsSync(path.join(sweepDir(), `tiny-001-task00${i}.arch.json`)), `task ${i}'s .arch.json`);
    await screenshot(page, 'slurm-05-completed');
  });
});
