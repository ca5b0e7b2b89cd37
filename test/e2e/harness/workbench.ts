/**
 * Drives the VS Code workbench in Debian's Chromium through playwright-core (never the
 * `playwright` package, which downloads browsers).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { REPO_ROOT } from './codeServer';

export const ARTIFACTS = path.join(REPO_ROOT, '.test-artifacts', 'e2e');
const CHROMIUM = process.env.RESBUILDER_CHROMIUM ?? '/usr/bin/chromium';

export interface Workbench {
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

export async function openWorkbench(url: string): Promise<Workbench> {
  // A browser server exposes the process, so it can be ended by its pid whatever happens.
  const server = await chromium.launchServer({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
  });
  const browserPid = server.process().pid;
  const browser = await chromium.connect(server.wsEndpoint());
  const close = async (): Promise<void> => {
    await browser.close().catch(() => undefined);
    await server.close().catch(() => undefined);
    if (browserPid !== undefined) {
      try {
        process.kill(browserPid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  try {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    // A loaded machine can take well over the default 30 s to serve the workbench.
    await page.goto(url, { timeout: 180_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    return { browser, page, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * Runs a palette command by its title, e.g. "ResBuilder: Stop Run". Retries for up to two minutes:
 * the extension's commands are listed only once it has activated, and a webview that opens just
 * then takes the focus and closes the palette opened before it.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 120_000): Promise<void> {
  // The row whose label is exactly the title: fuzzy matching ranks look-alikes too.
  const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const row = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: exact }) }).first();
  const input = page.locator('.quick-input-widget input');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await page.keyboard.press('F1');
      await input.waitFor({ timeout: 5_000 });
      await input.fill(`>${title}`, { timeout: 5_000 });
      await row.waitFor({ timeout: 5_000 });
      await row.click({ timeout: 5_000 });
      return;
    } catch (error) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw error;
    }
  }
}

/** Closes the active editor with its tab's close button (Ctrl+W would go to the browser). */
export async function closeActiveEditor(page: Page, name: string): Promise<void> {
  const tab = activeTab(page, name);
  await tab.hover();
  await tab.locator('.tab-actions .codicon-close, .tab-actions .action-label').first().click();
  await tab.waitFor({ state: 'detached' });
}

/** Opens a workspace file through Quick Open. */
export async function openFile(page: Page, relativePath: string): Promise<void> {
  await page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 } }).catch(() => undefined);
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(relativePath);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(relativePath) }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await activeTab(page, path.basename(relativePath)).waitFor();
}

/** The active tab of the active editor group, when it shows `name`. */
export function activeTab(page: Page, name: string): Locator {
  return page.locator('.editor-group-container.active .tab.active', { hasText: name });
}

/** A CodeLens of the text editors on screen (a hidden editor renders none). */
export function codeLens(page: Page, text: string): Locator {
  return page.locator('.codelens-decoration a', { hasText: text });
}

/** The DOM of the active webview: two iframes down. */
export function webviewFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').first().frameLocator('#active-frame');
}

/** The rows of the Problems panel (opens it). */
export async function problems(page: Page): Promise<string[]> {
  await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
  const rows = page.locator('.markers-panel .monaco-tl-row');
  await rows.first().waitFor({ timeout: 30_000 });
  return rows.allInnerTexts();
}
