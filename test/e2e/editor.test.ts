/**
 * The extension as a new user meets it, in a real VS Code (code-server + Chromium): the config
 * template, the drawn `.arch.json`, the compare view, the Runs view and the run states. The
 * screenshots of new views go to .test-artifacts/e2e/ (copies are kept under docs/images).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Frame, Page } from 'playwright-core';
import { serializeArchitecture } from '../../src/core/arch/json';
import { emptyNet, resnet20 } from '../../src/core/arch/seeds';
import { parseConfigText } from '../../src/core/config/parse';
import { REPO_ROOT, startCodeServer, type CodeServer } from './harness/codeServer';
import { ARTIFACTS, codeLens, openFile, openWorkbench, screenshot, type Workbench } from './harness/workbench';

const FIXTURES = path.join(__dirname, 'fixtures');

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Runs a palette command once the workbench lists it (the extension's commands come in late). */
async function runCommandWhenReady(page: Page, title: string): Promise<void> {
  const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const row = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exact }) }).first();
  const deadline = Date.now() + 120_000;
  for (;;) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    try {
      await row.waitFor({ timeout: 5_000 });
      await row.click();
      return;
    } catch (error) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw error;
    }
  }
}

/** The webview frame (of several on screen) whose page shows `selector`. */
async function frameShowing(page: Page, selector: string, timeoutMs = 60_000): Promise<Frame> {
  return until(`a webview showing ${selector}`, timeoutMs, async () => {
    for (const frame of page.frames()) {
      if (await frame.locator(selector).filter({ visible: true }).count().catch(() => 0)) return frame;
    }
    return undefined;
  });
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
  let workspace: string;
  let server: CodeServer | undefined;
  let workbench: Workbench | undefined;
  let page: Page;

  before(async function () {
    for (const bundle of ['extension.js', 'webview.js', 'trainer.js']) {
      assert.ok(fs.existsSync(path.join(REPO_ROOT, 'dist', bundle)), `dist/${bundle} is missing: run "npm run build" first`);
    }
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-e2e-editor-'));
    for (const f of fs.readdirSync(FIXTURES)) fs.copyFileSync(path.join(FIXTURES, f), path.join(workspace, f));
    server = await startCodeServer({ workspace, settings: { 'resbuilder.stopTimeoutSeconds': 60 } });
    workbench = await openWorkbench(server.url);
    page = workbench.page;
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && workbench) {
      const name = this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').toLowerCase().slice(0, 80);
      await screenshot(page, `failed-${name}`).catch(() => undefined);
      if (server) fs.writeFileSync(path.join(ARTIFACTS, `failed-${name}.code-server.log`), server.log());
    }
  });

  after(async function () {
    await workbench?.close();
    await server?.stop();
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('writes a new config from the template that resolves to the trainer\'s own quick preset', async () => {
    await runCommandWhenReady(page, 'ResBuilder: New Experiment Config from Template');
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
    // The export command is not installed in this build, so its button is not offered.
    assert.equal(await view.locator('[data-action="exportFile"]').filter({ visible: true }).count(), 0);
    await screenshot(page, 'editor-02-arch-editor');

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
    await runCommandWhenReady(page, 'View: Close Editor');
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
    await runCommandWhenReady(page, 'ResBuilder: Compare Architectures');
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
    // On disk the file now differs from what is committed.
    fs.writeFileSync(file, serializeArchitecture(emptyNet(INPUT, 10, 'standard')));
    await runCommandWhenReady(page, 'ResBuilder: Compare Architectures');
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
});
