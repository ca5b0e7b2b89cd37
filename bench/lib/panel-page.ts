/**
 * Runs the panel bundle in headless Chromium the way VS Code would: a page with a strict CSP
 * (script by nonce only, styles only from the page's own origin, no inline styles), the bundle
 * and media/panel.css, and messages delivered with window.postMessage. Shared by the webview
 * tests and the benchmark.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HostMessage, PanelMessage } from '../../src/protocol/panel';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const ROOT = resolve(__dirname, '../..');

/** Bundles webview/main.ts on its own into a temp dir; returns the bundle's path. */
export async function buildPanelBundle(): Promise<string> {
  const esbuild = await import('esbuild');
  const outfile = join(mkdtempSync(join(tmpdir(), 'resbuilder-webview-')), 'webview.js');
  await esbuild.build({
    entryPoints: [join(ROOT, 'webview/main.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}

export interface PanelServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the panel page on 127.0.0.1 with a VS Code-like CSP. */
export async function servePanel(bundlePath: string, cssPath = join(ROOT, 'media/panel.css')): Promise<PanelServer> {
  const [bundle, css] = await Promise.all([readFile(bundlePath), readFile(cssPath)]);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    if (path === '/webview.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(bundle);
    } else if (path === '/panel.css') {
      res.writeHead(200, { 'content-type': 'text/css; charset=utf-8' }).end(css);
    } else if (path === '/' || path === '/index.html') {
      const theme = new URL(req.url ?? '/', origin).searchParams.get('theme') ?? 'vscode-dark';
      const nonce = randomBytes(16).toString('base64');
      const csp = `default-src 'none'; img-src ${origin} data:; font-src ${origin}; style-src ${origin}; script-src 'nonce-${nonce}';`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/panel.css">
<title>ResBuilder run</title>
</head>
<body class="${theme.replace(/[^a-z-]/g, '')}">
<div id="resbuilder-panel"></div>
<script nonce="${nonce}" src="/webview.js"></script>
</body>
</html>`);
    } else if (path === '/favicon.ico') {
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}; install Debian's package: apt-get install -y chromium`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

export interface ConsoleEntry {
  type: string;
  text: string;
}

export interface PanelPage {
  page: Page;
  console: ConsoleEntry[];
  /** Messages the panel posted to its host, in order. */
  posted(): Promise<PanelMessage[]>;
  /** Posts a host message and resolves with the render that follows it. */
  send(message: HostMessage | unknown): Promise<RenderedInfo>;
  /** Posts a host message without waiting for a render (for messages the panel must ignore). */
  post(message: unknown): Promise<void>;
}

export interface RenderedInfo {
  seq: number;
  snapshotIndex: number;
  blocks: number;
  ingestMs: number;
  renderMs: number;
}

export async function openPanel(browser: Browser, server: PanelServer, options: { theme?: string; width?: number; height?: number } = {}): Promise<PanelPage> {
  const page = await browser.newPage({ viewport: { width: options.width ?? 1280, height: options.height ?? 900 } });
  const entries: ConsoleEntry[] = [];
  page.on('console', (msg) => entries.push({ type: msg.type(), text: msg.text() }));
  page.on('pageerror', (error) => entries.push({ type: 'pageerror', text: error.stack ?? error.message }));
  await page.addInitScript(() => {
    const w = window as unknown as { __panelMessages: unknown[] };
    w.__panelMessages = [];
    window.addEventListener('resbuilder:panel-message', (event) => w.__panelMessages.push((event as CustomEvent).detail));
  });
  await page.goto(`${server.url}?theme=${options.theme ?? 'vscode-dark'}`);
  await page.waitForFunction(() => (window as unknown as { __panelMessages: { type: string }[] }).__panelMessages.some((m) => m.type === 'ready'));
  return {
    page,
    console: entries,
    posted: () => page.evaluate(() => (window as unknown as { __panelMessages: PanelMessage[] }).__panelMessages),
    send: (message) =>
      page.evaluate(
        (m) =>
          new Promise<RenderedInfo>((done) => {
            window.addEventListener('resbuilder:rendered', (event) => done((event as CustomEvent<RenderedInfo>).detail), { once: true });
            window.postMessage(m, '*');
          }),
        message,
      ),
    post: (message) => page.evaluate((m) => window.postMessage(m, '*'), message),
  };
}
