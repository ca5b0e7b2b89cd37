/**
 * The extension as a new user meets it, in a real VS Code (code-server + Chromium): the config
 * template, the drawn `.arch.json`, the compare view, the Runs view and the run states. The
 * screenshots of new views go to .test-artifacts/e2e/ (copies are kept under docs/images).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Frame, Page } from 'playwright-core';
import { serializeArchitecture } from '../../src/core/arch/json';
import { emptyNet, resnet20 } from '../../src/core/arch/seeds';
import { parseConfigText } from '../../src/core/config/parse';
import { readEvents, until } from './harness/runs';
import { useWorkbench } from './harness/session';
import { codeLens, openFile, runCommand, screenshot } from './harness/workbench';

const FIXTURES = path.join(__dirname, 'fixtures');

/** The webview frame (of several on screen) whose page shows `selector` (with `text`, when given). */
async function frameShowing(page: Page, selector: string, timeoutMs = 60_000, text?: string | RegExp): Promise<Frame> {
  return until(`a webview showing ${selector}${text ? ` with ${String(text)}` : ''}`, timeoutMs, async () => {
    for (const frame of page.frames()) {
      if (await frame.locator(selector, text ? { hasText: text } : {}).filter({ visible: true }).count().catch(() => 0)) return frame;
    }
    return undefined;
  });
}

/** The pid of the trainer running `config` (a child of the extension host). */
function trainerPid(config: string): number | undefined {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  const line = ps.split('\n').find((l) => l.includes('trainer.js') && l.includes(config));
  return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
}

function runsViewRows(page: Page): Promise<string[]> {
  return page.locator('.monaco-list-row').filter({ visible: true }).allInnerTexts();
}

async function showRunsView(page: Page): Promise<void> {
  // The container's title; a click on the icon of the container already shown would hide it.
  const title = page.locator('.sidebar .composite.title .title-label', { hasText: /resbuilder/i }).filter({ visible: true });
  if (!(await title.count())) await page.locator('.activitybar .action-item [aria-label^="ResBuilder"]').first().click();
  await title.first().waitFor();
}

/** The labels of the open quick pick's rows. */
async function quickPickRows(page: Page): Promise<string[]> {
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.first().waitFor();
  return rows.allInnerTexts();
}

async function pickRow(page: Page, text: string | RegExp): Promise<void> {
  await page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().click();
}

const INPUT = { height: 28, width: 28, channels: 1 };

describe('ResBuilder Studio as a new user meets it', function () {
  this.timeout(15 * 60_000);
  const session = useWorkbench({
    name: 'editor',
    bundles: ['extension.js', 'webview.js', 'trainer.js'],
    prepare: (workspace) => {
      for (const f of fs.readdirSync(FIXTURES)) fs.copyFileSync(path.join(FIXTURES, f), path.join(workspace, f));
      fs.writeFileSync(path.join(workspace, 'typo.resbuilder.yaml'), 'preset: quick\ndataset:\n  source: mnist\n  validationSpilt: 0.2\n');
    },
    settings: { 'resbuilder.stopTimeoutSeconds': 60 },
  });
  let workspace: string;
  let page: Page;
  before(() => {
    workspace = session.workspace;
    page = session.page;
  });

  it('writes a new config from the template that resolves to the trainer\'s own quick preset', async () => {
    await runCommand(page, 'ResBuilder: New Experiment Config from Template');
    const file = path.join(workspace, 'experiment.resbuilder.yaml');
    const text = await until('experiment.resbuilder.yaml', 30_000, () => fs.existsSync(file) && fs.readFileSync(file, 'utf8'));
    const written = parseConfigText(text, file);
    assert.deepEqual(written.diagnostics, []);
    assert.deepEqual(written.config, parseConfigText('preset: quick\n', file).config);
    assert.match(text, /^ {2}blockStyle: standard$/m);
    assert.doesNotMatch(text, /^\s*limit:/m);
    // The comment names where the lens is: above `mode:`, the first setting.
    await codeLens(page, 'Run search').filter({ visible: true }).first().waitFor({ timeout: 120_000 });
    // Lenses re-render as the run state settles: measure both in one pass of the page.
    const tops = await until('the lens and the mode: line on screen', 30_000, () =>
      // A string, so the bundler's helpers never reach the page.
      page.evaluate<{ lens: number; mode: number } | undefined>(`(() => {
        const shown = (el) => el.getBoundingClientRect().height > 0;
        const lens = [...document.querySelectorAll('.codelens-decoration a')].find((a) => (a.textContent || '').includes('Run search') && shown(a));
        const mode = [...document.querySelectorAll('.monaco-editor .view-line')].find((l) => /^mode:\\s+search$/.test(l.textContent || '') && shown(l));
        return lens && mode ? { lens: lens.getBoundingClientRect().top, mode: mode.getBoundingClientRect().top } : undefined;
      })()`),
    );
    assert.ok(tops.mode > tops.lens && tops.mode - tops.lens < 40, `the lens (y=${tops.lens}) is not just above "mode:" (y=${tops.mode})`);
    await screenshot(page, 'editor-01-template');
  });

  it('draws an .arch.json in its own editor, redraws it when the file changes, and keeps the text one a click away', async () => {
    const file = path.join(workspace, 'resnet20.arch.json');
    const arch = resnet20(INPUT, 10, 'standard');
    fs.writeFileSync(file, serializeArchitecture(arch));
    fs.writeFileSync(path.join(workspace, 'empty.arch.json'), serializeArchitecture(emptyNet(INPUT, 10, 'standard')));
    await openFile(page, 'resnet20.arch.json');
    const view = await frameShowing(page, '.arch-view');
    await view.locator('.arch-totals', { hasText: `${arch.skips.length} blocks` }).waitFor({ timeout: 30_000 });
    assert.equal(await view.locator('[data-layer-id]').count(), arch.layers.length);
    assert.equal(await view.locator('[data-block-id]').count(), arch.skips.length);
    // No run here: no run header, timeline or Stop.
    assert.equal(await view.locator('[data-action="stop"]').filter({ visible: true }).count(), 0);
    await screenshot(page, 'editor-02-arch-editor');
    // Export… runs the export command on this file: an architecture without a run's weights
    // still gives a freshly initialised PyTorch module next to it.
    await view.locator('[data-action="exportFile"]').click();
    await page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: /^PyTorch$/ }) }).first().click();
    const module = path.join(workspace, 'resnet20.py');
    const source = await until('resnet20.py from Export…', 120_000, () => fs.existsSync(module) && fs.readFileSync(module, 'utf8'));
    assert.match(source, /class Net\(nn\.Module\)/);

    // The file changes on disk: the drawing follows.
    const smaller = emptyNet(INPUT, 10, 'standard');
    fs.writeFileSync(file, serializeArchitecture(smaller));
    await view.locator('.arch-totals', { hasText: `${smaller.layers.length} layers · 0 blocks` }).waitFor({ timeout: 30_000 });
    assert.equal(await view.locator('[data-block-id]').count(), 0);
    // A broken file: the error names the problem instead of a blank view.
    fs.writeFileSync(file, '{ "schemaVersion": 1, "layers": [] ');
    await view.locator('.arch-view .run-message--error').filter({ visible: true }).waitFor({ timeout: 30_000 });
    fs.writeFileSync(file, serializeArchitecture(arch));
    await view.locator('.arch-totals', { hasText: `${arch.skips.length} blocks` }).waitFor({ timeout: 30_000 });

    await view.locator('[data-action="openText"]').click();
    await page.locator('.monaco-editor .view-line', { hasText: '"schemaVersion"' }).filter({ visible: true }).first().waitFor({ timeout: 30_000 });
    await runCommand(page, 'View: Close Editor');
    await until('one resnet20.arch.json tab', 30_000, async () => (await page.locator('.tab', { hasText: 'resnet20.arch.json' }).count()) === 1);
  });

  it('compares from the .arch.json editor in one compare view, reused, without run chrome or git entries outside git', async () => {
    await page.locator('.tab', { hasText: 'resnet20.arch.json' }).first().click();
    const view = await frameShowing(page, '.arch-view');
    await view.locator('[data-action="compareFile"]').click();
    const rows = await quickPickRows(page);
    assert.ok(rows.some((r) => r.includes('empty.arch.json')), `empty.arch.json is not offered: ${rows.join(' | ')}`);
    assert.ok(!rows.some((r) => r.includes('resnet20.arch.json')), 'the file is offered to compare with itself');
    assert.ok(!rows.some((r) => /git HEAD/.test(r)), `git entries outside a git repository: ${rows.join(' | ')}`);
    await pickRow(page, 'empty.arch.json');
    const compare = await frameShowing(page, '.compare');
    await compare.locator('.compare-summary').waitFor();
    assert.equal(await compare.locator('.run-header').filter({ visible: true }).count(), 0, 'the compare view shows a run header');
    assert.equal(await compare.locator('[aria-label="Close comparison"]').filter({ visible: true }).count(), 0);
    const groups = await page.locator('.editor-group-container').count();
    await screenshot(page, 'editor-03-compare');

    // A second compare reuses the view: no new column, one compare tab.
    await runCommand(page, 'ResBuilder: Compare Architectures');
    await pickRow(page, 'empty.arch.json');
    await pickRow(page, 'resnet20.arch.json');
    await page.locator('.tab', { hasText: 'empty.arch.json ↔ resnet20.arch.json' }).waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.tab', { hasText: '↔' }).count(), 1);
    assert.equal(await page.locator('.editor-group-container').count(), groups);
  });

  it('in a git repository, offers the committed version and reads it from git', async () => {
    const file = path.join(workspace, 'resnet20.arch.json');
    const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.email=e2e@resbuilder.test', '-c', 'user.name=e2e', ...args], { cwd: workspace, encoding: 'utf8' });
    git('init', '-q');
    git('add', 'resnet20.arch.json');
    git('commit', '-q', '-m', 'resnet20');
    // An open view of the file redraws when it changes and takes the focus, which closes a quick
    // pick open at that moment: nothing is left open that could.
    await runCommand(page, 'View: Close All Editors');
    // On disk the file now differs from what is committed.
    fs.writeFileSync(file, serializeArchitecture(emptyNet(INPUT, 10, 'standard')));
    await runCommand(page, 'ResBuilder: Compare Architectures');
    const rows = await quickPickRows(page);
    const gitRows = rows.filter((r) => /git HEAD/.test(r));
    assert.equal(gitRows.length, 1, `one committed entry expected (only resnet20.arch.json is committed): ${rows.join(' | ')}`);
    assert.match(gitRows[0], /resnet20\.arch\.json/);
    await pickRow(page, /git HEAD/);
    await pickRow(page, /resnet20\.arch\.json.*on disk/);
    const compare = await frameShowing(page, '.compare');
    // The committed file has ResNet-20's blocks, the one on disk none: read from git, not from disk.
    await compare.locator('.compare-label', { hasText: 'committed resnet20.arch.json' }).waitFor({ timeout: 30_000 });
    const blocks = resnet20(INPUT, 10, 'standard').skips.length;
    await compare.locator('.compare-summary', { hasText: `−${blocks} blocks` }).waitFor({ timeout: 30_000 });
    fs.rmSync(path.join(workspace, '.git'), { recursive: true, force: true });
    fs.writeFileSync(file, serializeArchitecture(resnet20(INPUT, 10, 'standard')));
  });

  it('lists runs grouped by config with a short start time, state and result, and reuses one panel per config', async () => {
    const runsDir = path.join(workspace, '.resbuilder', 'runs');
    const finished = (): number => readEvents(runsDir).filter((e) => e.type === 'finished' && e.runId.startsWith('tiny-')).length;
    for (let i = 1; i <= 2; i++) {
      await openFile(page, 'tiny.resbuilder.yaml');
      await codeLens(page, 'Run search').filter({ visible: true }).first().click();
      await until(`tiny run ${i} finished`, 10 * 60_000, () => finished() === i);
      await codeLens(page, 'Open last run').filter({ visible: true }).first().waitFor({ timeout: 60_000 });
    }
    // Both runs were shown in the same panel, one tab.
    await until('one tiny panel', 30_000, async () => (await page.locator('.tab', { hasText: 'ResBuilder: tiny' }).count()) === 1);
    // A finished run offers neither Stop nor Resume; the two epochs say which is which; the
    // decisions list grows with the page instead of scrolling inside it.
    const panel = await frameShowing(page, '.run-title', 60_000, 'tiny');
    await panel.locator('.status', { hasText: 'finished' }).waitFor({ timeout: 30_000 });
    assert.equal(await panel.locator('[data-action="stop"]').filter({ visible: true }).count(), 0, 'Stop is shown on a finished run');
    assert.equal(await panel.locator('[data-action="resume"]').filter({ visible: true }).count(), 0, 'Resume is shown on a finished run');
    await panel.locator('.field-label', { hasText: 'Epoch of this training' }).waitFor();
    await panel.locator('.timeline-epoch', { hasText: /after \d+ epochs? of the whole run/ }).waitFor();
    assert.equal(await panel.locator('.change-log').evaluate((el) => getComputedStyle(el).overflowY), 'visible');
    await showRunsView(page);
    const rows = await until('two tiny runs in the Runs view', 60_000, async () => {
      const all = await runsViewRows(page);
      return all.filter((r) => /tiny · \d\d:\d\d/.test(r)).length === 2 && all;
    });
    const runRows = rows.filter((r) => /tiny · \d\d:\d\d/.test(r));
    for (const row of runRows) assert.match(row, /finished · test \d+\.\d+ %/);
    assert.ok(rows.some((r) => /^tiny\s*tiny\.resbuilder\.yaml/.test(r.trim())), `no group row for tiny: ${rows.join(' | ')}`);
    assert.ok(rows.findIndex((r) => /^tiny\s*tiny\.resbuilder\.yaml/.test(r.trim())) < rows.indexOf(runRows[0]), 'the runs are not under their config');
    await screenshot(page, 'editor-04-runs-view');
  });

  it('ends a killed trainer\'s run everywhere within seconds, with only the actions that can work, and resumes it', async () => {
    const runsDir = path.join(workspace, '.resbuilder', 'runs');
    const longEvents = () => readEvents(runsDir).filter((e) => e.runId.startsWith('long-'));
    await openFile(page, 'long.resbuilder.yaml');
    await codeLens(page, 'Run search').filter({ visible: true }).first().click();
    await until('the first checkpoint of the long run', 5 * 60_000, () => longEvents().some((e) => e.type === 'checkpoint'));
    const panel = await frameShowing(page, '.run-title', 60_000, 'long');
    await panel.locator('[data-action="stop"]').filter({ visible: true }).waitFor();
    const pid = await until('the trainer process', 30_000, () => trainerPid('long.resbuilder.yaml'));
    process.kill(pid, 'SIGKILL');

    // The panel, the CodeLens, the status bar and the Runs view all say so within seconds.
    await panel.locator('.status', { hasText: 'interrupted' }).waitFor({ timeout: 10_000 });
    await panel.locator('.run-message', { hasText: /SIGKILL/ }).waitFor({ timeout: 10_000 });
    assert.equal(await panel.locator('[data-action="stop"]').filter({ visible: true }).count(), 0, 'Stop is offered for a dead trainer');
    await panel.locator('[data-action="resume"]').filter({ visible: true }).waitFor({ timeout: 10_000 });
    await openFile(page, 'long.resbuilder.yaml');
    await codeLens(page, 'Resume').filter({ visible: true }).first().waitFor({ timeout: 10_000 });
    assert.equal(await codeLens(page, 'Stop').filter({ visible: true }).count(), 0);
    assert.equal(await page.locator('.statusbar-item', { hasText: 'ResBuilder:' }).count(), 0, 'the status bar still shows a run');
    await showRunsView(page);
    await until('the long run not running in the Runs view', 10_000, async () => (await runsViewRows(page)).some((r) => /long · .*resumable/.test(r)));
    await screenshot(page, 'editor-05-interrupted');

    // Resume finds the run and continues it in the same folder.
    const runId = longEvents().find((e) => e.type === 'run-started')!.runId;
    await codeLens(page, 'Resume').filter({ visible: true }).first().click();
    await until('the resumed run', 3 * 60_000, () => longEvents().some((e) => e.type === 'run-started' && e.resumed === true && e.runId === runId));
    await until('training after the resume', 5 * 60_000, () => {
      const all = longEvents();
      const resumedAt = all.findIndex((e) => e.type === 'run-started' && e.resumed === true);
      return all.slice(resumedAt).some((e) => e.type === 'epoch-progress');
    });

    // Stopped from the editor: the panel says why and what Resume does.
    await openFile(page, 'long.resbuilder.yaml');
    await codeLens(page, 'Stop').filter({ visible: true }).first().click();
    await until('the stop', 3 * 60_000, () => longEvents().filter((e) => e.type === 'stopped').length === 1);
    const stopped = await frameShowing(page, '.run-message', 60_000, 'Stopped: stopped from the editor. Resume continues from the last checkpoint.');
    assert.equal(await stopped.locator('[data-action="stop"]').filter({ visible: true }).count(), 0);
    await stopped.locator('[data-action="resume"]').filter({ visible: true }).click();
    await until('the second resume', 3 * 60_000, () => longEvents().filter((e) => e.type === 'run-started' && e.resumed === true).length === 2);
    await until('training after the second resume', 5 * 60_000, () => {
      const all = longEvents();
      const lastStart = all.map((e) => e.type).lastIndexOf('run-started');
      return all.slice(lastStart).some((e) => e.type === 'epoch-progress');
    });

    // Its folder removed mid-run: the trainer stops with a message that says so.
    fs.rmSync(path.join(runsDir, runId), { recursive: true, force: true });
    const gone = await frameShowing(page, '.run-message', 3 * 60_000, /was removed/);
    await gone.locator('.status', { hasText: 'failed' }).waitFor({ timeout: 10_000 });
    assert.equal(await gone.locator('[data-action="stop"]').filter({ visible: true }).count(), 0);
    assert.equal(await gone.locator('[data-action="resume"]').filter({ visible: true }).count(), 0);
    await until('the trainer to exit', 30_000, () => trainerPid('long.resbuilder.yaml') === undefined);
    await screenshot(page, 'editor-06-folder-removed');
  });

  it('closes a deleted run\'s panel', async () => {
    await showRunsView(page);
    // The tiny run's panel may be open already behind another tab; a click on its row brings it
    // to the front, and is repeated if a panel updating just then (the previous test's) took it back.
    const row = page.locator('.monaco-list-row', { hasText: /tiny · \d\d:\d\d/ }).first();
    await until('the tiny run\'s panel in front', 90_000, async () => {
      await row.click();
      return frameShowing(page, '.run-title', 10_000, 'tiny').catch(() => undefined);
    });
    const tab = page.locator('.tab', { hasText: 'ResBuilder: tiny' });
    await tab.waitFor({ timeout: 30_000 });
    const runId = /tiny-\d{8}-\d{6}-[0-9a-f]+/.exec((await tab.getAttribute('aria-label')) ?? (await tab.innerText()))![0];
    await runCommand(page, 'ResBuilder: Delete Run…');
    await pickRow(page, runId);
    await page.locator('.dialog-buttons a, .dialog-buttons button', { hasText: 'Delete' }).first().click();
    await page.locator('.tab', { hasText: 'ResBuilder: tiny' }).waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal(fs.existsSync(path.join(workspace, '.resbuilder', 'runs', runId)), false);
  });

  it('fixes a misspelt key with the quick fix of its "did you mean"', async () => {
    await openFile(page, 'typo.resbuilder.yaml');
    const typo = page.locator('.monaco-editor .view-line', { hasText: 'validationSpilt' }).filter({ visible: true }).first();
    await typo.waitFor();
    await page.locator('.squiggly-error').first().waitFor({ timeout: 60_000 });
    await typo.click();
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Change to "validationSplit"' });
    await fix.waitFor({ timeout: 30_000 });
    await screenshot(page, 'editor-07-quick-fix');
    // The menu's own pointer shield takes clicks while it animates; Enter applies the focused fix.
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-line', { hasText: /validationSplit:\s0\.2/ }).filter({ visible: true }).waitFor({ timeout: 30_000 });
    await page.locator('.squiggly-error').waitFor({ state: 'detached', timeout: 30_000 });
  });
});
