/**
 * The panel bundle in headless Chromium under a VS Code-like CSP, fed a generated run through
 * window.postMessage: what the stack draws, the timeline, live mode, the compare view, the
 * buttons and how bad messages are handled.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import type { Architecture } from '../../src/core/arch/types';
import type { TrainerEvent } from '../../src/protocol/events';
import { diffArchitectures } from '../../webview/compare';
import { generateRun, snapshotsOf } from '../../bench/lib/synthetic-run';
import { buildPanelBundle, launchChromium, openPanel, servePanel, type PanelPage, type PanelServer } from '../../bench/lib/panel-page';

const ARTIFACTS = resolve(__dirname, '../../.test-artifacts');

interface DrawnRow {
  id: string;
  width: string;
  status: string;
}

async function drawnBlocks(panel: PanelPage): Promise<{ id: string; status: string; label: string }[]> {
  return panel.page.$$eval('.pane--stack .block', (els) =>
    els.map((el) => ({ id: (el as HTMLElement).dataset.blockId ?? '', status: (el as HTMLElement).dataset.status ?? '', label: el.getAttribute('aria-label') ?? '' })),
  );
}

async function drawnRows(panel: PanelPage, scope = '.pane--stack'): Promise<DrawnRow[]> {
  return panel.page.$$eval(`${scope} li[data-layer-id]`, (els) =>
    els.map((el) => ({
      id: (el as HTMLElement).dataset.layerId ?? '',
      width: el.querySelector('.row-width')?.textContent ?? '',
      status: (el as HTMLElement).dataset.status ?? '',
    })),
  );
}

function liveBlockCount(blocks: { status: string }[]): number {
  return blocks.filter((b) => b.status !== 'removed').length;
}

function widthOf(arch: Architecture, id: string): number | undefined {
  const layer = arch.layers.find((l) => l.id === id);
  return layer?.kind === 'conv' ? layer.width : layer?.kind === 'dense' ? layer.units : undefined;
}

describe('run panel in Chromium', function () {
  this.timeout(120_000);
  let browser: Browser;
  let server: PanelServer;
  let events: TrainerEvent[];

  before(async () => {
    const bundle = await buildPanelBundle();
    server = await servePanel(bundle);
    browser = await launchChromium();
    events = generateRun({ runId: 'run-a', cycles: 3, seed: 11 });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('draws the last architecture of a replayed run: blocks, widths, totals and aria labels', async () => {
    const panel = await openPanel(browser, server);
    await panel.send({ type: 'reset', runId: 'run-a', title: 'mnist.resbuilder.yaml' });
    const rendered = await panel.send({ type: 'events', events });
    const snapshots = snapshotsOf(events);
    const last = snapshots[snapshots.length - 1];
    assert.equal(rendered.snapshotIndex, snapshots.length - 1);
    assert.equal(rendered.seq, events.length - 1);

    const blocks = await drawnBlocks(panel);
    assert.ok(last.architecture.skips.length > 0, 'the fixture run should end with blocks');
    assert.deepEqual(blocks.map((b) => b.id).sort(), last.architecture.skips.map((s) => s.id).sort());
    for (const block of blocks) {
      const skip = last.architecture.skips.find((s) => s.id === block.id)!;
      const width = widthOf(last.architecture, skip.to);
      assert.match(block.label, new RegExp(`^Block ${block.id}: 2 convs, [0-9/]*\\b${width}\\b[0-9/]* channels`));
    }
    const rows = await drawnRows(panel);
    const drawable = last.architecture.layers.filter((l) => l.kind !== 'pool');
    assert.equal(rows.filter((r) => r.width !== '').length, drawable.length);
    for (const layer of drawable) {
      const row = rows.find((r) => r.id === layer.id);
      assert.ok(row, `layer ${layer.id} is drawn`);
      assert.equal(row.width, String(widthOf(last.architecture, layer.id)));
    }
    // The conv bars' drawn widths follow the channel counts.
    const barWidths = await panel.page.$$eval('.pane--stack li.row--conv', (els) =>
      els.map((el) => ({ id: (el as HTMLElement).dataset.layerId!, px: (el.querySelector('.bar--conv') as HTMLElement).getBoundingClientRect().width })),
    );
    const convs = last.architecture.layers.filter((l) => l.kind === 'conv');
    const widest = convs.reduce((a, b) => ((a as { width: number }).width >= (b as { width: number }).width ? a : b));
    const narrowest = convs.reduce((a, b) => ((a as { width: number }).width <= (b as { width: number }).width ? a : b));
    const px = (id: string): number => barWidths.find((b) => b.id === id)!.px;
    if (widthOf(last.architecture, widest.id)! > widthOf(last.architecture, narrowest.id)!) assert.ok(px(widest.id) > px(narrowest.id));

    const totals = await panel.page.$$eval('.fields--totals .field-value', (els) => els.map((e) => e.textContent));
    assert.equal(totals[0], String(last.depth));
    assert.equal(totals[1], String(last.architecture.skips.length));
    const status = await panel.page.textContent('.status');
    assert.equal(status, 'finished');
    assert.equal(await panel.page.locator('.uplot').count(), 3);
    const csp = panel.console.filter((c) => /Content Security Policy|Refused to/i.test(c.text));
    assert.deepEqual(csp, [], 'no CSP violations');
    assert.deepEqual(panel.console.filter((c) => c.type === 'pageerror' || c.type === 'error'), []);

    mkdirSync(ARTIFACTS, { recursive: true });
    await panel.page.screenshot({ path: join(ARTIFACTS, 'panel.png'), fullPage: true });
    await panel.page.close();
  });

  it('redraws the stack as it was at each point of the timeline', async () => {
    const panel = await openPanel(browser, server);
    await panel.send({ type: 'reset', runId: 'run-a', title: 'timeline' });
    await panel.send({ type: 'events', events });
    const snapshots = snapshotsOf(events);
    const slider = panel.page.locator('.timeline-slider');

    await slider.focus();
    await panel.page.keyboard.press('Home');
    await panel.page.waitForFunction(() => document.getElementById('resbuilder-panel')!.dataset.snapshot === '0');
    assert.equal(liveBlockCount(await drawnBlocks(panel)), snapshots[0].architecture.skips.length);

    let sawInsert = false;
    let sawDelete = false;
    let sawResize = false;
    for (let i = 1; i < snapshots.length; i++) {
      await panel.page.keyboard.press('ArrowRight');
      await panel.page.waitForFunction((n) => document.getElementById('resbuilder-panel')!.dataset.snapshot === String(n), i);
      const blocks = await drawnBlocks(panel);
      const arch = snapshots[i].architecture;
      assert.equal(liveBlockCount(blocks), arch.skips.length, `snapshot ${i}: block count`);
      if (snapshots[i].cause !== 'change') continue;
      const diff = diffArchitectures(snapshots[i - 1].architecture, arch);
      assert.deepEqual(blocks.filter((b) => b.status === 'added').map((b) => b.id), diff.addedBlocks.map((b) => b.id), `snapshot ${i}: inserted`);
      assert.deepEqual(blocks.filter((b) => b.status === 'removed').map((b) => b.id), diff.removedBlocks.map((b) => b.id), `snapshot ${i}: deleted`);
      const rows = await drawnRows(panel);
      const resized = rows.filter((r) => r.status === 'resized');
      assert.deepEqual(resized.map((r) => r.id), diff.resizedLayers.map((r) => r.id), `snapshot ${i}: resized`);
      for (const r of diff.resizedLayers) assert.equal(resized.find((x) => x.id === r.id)!.width, `${r.from} → ${r.to}`);
      const reason = await panel.page.textContent('.change-reason');
      const change = events.find((e) => e.type === 'structural-change' && e.index === snapshots[i].changeIndex);
      assert.ok(change && change.type === 'structural-change');
      assert.equal(reason, change.change.reason);
      if (!sawDelete && diff.removedBlocks.length > 0) {
        mkdirSync(ARTIFACTS, { recursive: true });
        await panel.page.screenshot({ path: join(ARTIFACTS, 'panel-change.png'), fullPage: true });
      }
      sawInsert ||= diff.addedBlocks.length > 0;
      sawDelete ||= diff.removedBlocks.length > 0;
      sawResize ||= diff.resizedLayers.length > 0;
    }
    assert.ok(sawInsert && sawDelete && sawResize, 'the fixture covers insert, delete and resize');

    // Back again: the step button and Home.
    await panel.page.click('button[aria-label^="Previous change"]');
    await panel.page.waitForFunction((n) => document.getElementById('resbuilder-panel')!.dataset.snapshot === String(n), snapshots.length - 2);
    assert.equal(liveBlockCount(await drawnBlocks(panel)), snapshots[snapshots.length - 2].architecture.skips.length);
    await slider.focus();
    await panel.page.keyboard.press('Home');
    await panel.page.waitForFunction(() => document.getElementById('resbuilder-panel')!.dataset.snapshot === '0');
    assert.equal(liveBlockCount(await drawnBlocks(panel)), 0);
    await panel.page.close();
  });

  it('stays on a scrubbed position while events arrive, and follows them in live mode', async () => {
    const panel = await openPanel(browser, server);
    const cut = events.findIndex((e, i) => i > events.length / 2 && e.type === 'structural-change' && e.change.kind === 'insert');
    assert.ok(cut > 0);
    await panel.send({ type: 'reset', runId: 'run-a', title: 'live' });
    await panel.send({ type: 'events', events: events.slice(0, cut) });
    const before = snapshotsOf(events.slice(0, cut)).length;
    await panel.page.locator('.timeline-slider').focus();
    await panel.page.keyboard.press('Home');
    await panel.page.waitForFunction(() => document.getElementById('resbuilder-panel')!.dataset.snapshot === '0');

    // Overlapping replay and live events: already-seen seqs are skipped.
    const scrubbed = await panel.send({ type: 'events', events: events.slice(cut - 5, cut + 2) });
    assert.equal(scrubbed.snapshotIndex, 0, 'a scrubbed timeline does not jump');
    assert.equal(scrubbed.seq, cut + 1);

    await panel.page.click('.live-button');
    await panel.page.waitForFunction((n) => document.getElementById('resbuilder-panel')!.dataset.snapshot === String(n), before);
    const rest = events.slice(cut + 2);
    let last = scrubbed;
    for (const event of rest.slice(0, 40)) last = await panel.send({ type: 'events', events: [event] });
    const seen = snapshotsOf(events.slice(0, cut + 2 + 40));
    assert.equal(last.snapshotIndex, seen.length - 1, 'live mode shows the newest snapshot');
    assert.equal(liveBlockCount(await drawnBlocks(panel)), seen[seen.length - 1].architecture.skips.length);
    const announced = await panel.page.textContent('.sr-only[aria-live]');
    assert.match(announced ?? '', /Inserted block r\d{3}: Random insertion/);
    await panel.page.close();
  });

  it('lists the differences of two architectures in the compare view', async () => {
    const panel = await openPanel(browser, server);
    const snapshots = snapshotsOf(events);
    const left = snapshots.find((s) => s.architecture.skips.length >= 2)!.architecture;
    const right: Architecture = JSON.parse(JSON.stringify(snapshots[snapshots.length - 1].architecture));
    // Make sure all three kinds of difference are present.
    const removedBlock = left.skips[0].id;
    right.layers = right.layers.filter((l) => !l.id.startsWith(`${removedBlock}.`));
    right.skips = right.skips.filter((s) => s.id !== removedBlock);
    const at = right.layers.findIndex((l) => l.kind === 'pool');
    right.layers.splice(at + 1, 0, { kind: 'conv', id: 'x900.a', width: 48, kernel: 3, stride: 1, origin: 'inserted', insertedAt: 90 }, { kind: 'conv', id: 'x900.b', width: 48, kernel: 3, stride: 1, origin: 'inserted', insertedAt: 90 });
    right.skips.push({ id: 'x900', from: 'x900.a', to: 'x900.b' });
    const stem = right.layers[0];
    assert.equal(stem.kind, 'conv');
    stem.width = widthOf(left, stem.id)! + 8;
    const expected = diffArchitectures(left, right);

    await panel.send({ type: 'compare', left: { label: 'committed', architecture: left }, right: { label: 'this run', architecture: right } });
    assert.equal(await panel.page.isVisible('.compare'), true);
    const items = await panel.page.$$eval('.compare-diff .diff-item', (els) => els.map((e) => ({ kind: (e as HTMLElement).dataset.kind, text: e.textContent ?? '' })));
    const added = items.filter((i) => i.kind === 'added').map((i) => i.text);
    const removed = items.filter((i) => i.kind === 'removed').map((i) => i.text);
    const resized = items.filter((i) => i.kind === 'resized').map((i) => i.text);
    assert.deepEqual(added.map((t) => /block (\S+)/.exec(t)?.[1]).sort(), expected.addedBlocks.map((b) => b.id).sort());
    assert.deepEqual(removed.map((t) => /block (\S+)/.exec(t)?.[1]).sort(), expected.removedBlocks.map((b) => b.id).sort());
    assert.ok(expected.addedBlocks.some((b) => b.id === 'x900'));
    assert.ok(expected.removedBlocks.some((b) => b.id === removedBlock));
    assert.deepEqual(resized, expected.resizedLayers.map((r) => `${r.id}: ${r.from} → ${r.to}`));
    assert.ok(resized.includes(`${stem.id}: ${widthOf(left, stem.id)} → ${stem.width}`));

    const leftBlocks = await panel.page.$$eval('.compare-column--left .block', (els) => els.map((e) => [(e as HTMLElement).dataset.blockId, (e as HTMLElement).dataset.status]));
    const rightBlocks = await panel.page.$$eval('.compare-column--right .block', (els) => els.map((e) => [(e as HTMLElement).dataset.blockId, (e as HTMLElement).dataset.status]));
    assert.deepEqual(leftBlocks.filter(([, s]) => s === 'removed').map(([id]) => id).sort(), expected.removedBlocks.map((b) => b.id).sort());
    assert.deepEqual(rightBlocks.filter(([, s]) => s === 'added').map(([id]) => id).sort(), expected.addedBlocks.map((b) => b.id).sort());
    assert.equal(leftBlocks.length, left.skips.length);
    assert.equal(rightBlocks.length, right.skips.length);
    const leftRows = await drawnRows(panel, '.compare-column--left');
    assert.deepEqual(leftRows.find((r) => r.id === stem.id), { id: stem.id, width: String(widthOf(left, stem.id)), status: 'resized' });
    for (const layer of left.layers) if (layer.kind === 'conv') assert.equal(leftRows.find((r) => r.id === layer.id)?.width, String(layer.width));
    const rightStem = await drawnRows(panel, '.compare-column--right');
    assert.equal(rightStem.find((r) => r.id === stem.id)?.width, `${widthOf(left, stem.id)} → ${stem.width}`);

    mkdirSync(ARTIFACTS, { recursive: true });
    await panel.page.screenshot({ path: join(ARTIFACTS, 'panel-compare.png'), fullPage: true });
    // A compare view of its own has no run to go back to: Escape leaves it, and there is no close button.
    await panel.page.keyboard.press('Escape');
    assert.equal(await panel.page.isVisible('.compare'), true);
    assert.equal(await panel.page.isVisible('.compare button[aria-label="Close comparison"]'), false);
    await panel.page.close();
  });

  it('ignores bad messages with a console warning and keeps working', async () => {
    const panel = await openPanel(browser, server);
    await panel.send({ type: 'reset', runId: 'run-a', title: 'bad input' });
    await panel.post({ type: 'explode' });
    await panel.post('not even an object');
    await panel.post({ type: 'events', events: 'nope' });
    await panel.page.waitForFunction(() => true);
    // One corrupt event inside a batch is dropped; the rest of the batch is used.
    const batch: unknown[] = events.slice(0, 40).map((e) => ({ ...e }));
    (batch[3] as Record<string, unknown>).seq = -4;
    const rendered = await panel.send({ type: 'events', events: batch });
    assert.equal(rendered.seq, 39);
    const warnings = panel.console.filter((c) => c.type === 'warning').map((c) => c.text);
    assert.ok(warnings.some((w) => /Ignored a message: .*explode|Ignored a message: .*type/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /events\[3\]/.test(w)), 'the dropped event is named');
    assert.ok(warnings.filter((w) => /Ignored a message/.test(w)).length >= 3);
    assert.deepEqual(panel.console.filter((c) => c.type === 'pageerror' || c.type === 'error'), []);
    assert.ok((await drawnRows(panel)).length > 0, 'the panel still draws');
    await panel.page.close();
  });

  it('offers Export… for a finished run and posts it', async () => {
    const finished = generateRun({ runId: 'run-e', cycles: 1, end: 'finished', seed: 5 });
    const panel = await openPanel(browser, server, { theme: 'vscode-dark' });
    await panel.send({ type: 'reset', runId: 'run-e', title: 'finished run' });
    await panel.send({ type: 'events', events: finished });
    assert.equal(await panel.page.textContent('.status'), 'finished');
    assert.equal(await panel.page.getAttribute('vscode-button[data-action="export"]', 'disabled'), null);
    await panel.page.click('vscode-button[data-action="export"]');
    assert.deepEqual((await panel.posted()).map((m) => m.type), ['ready', 'export']);
    await panel.page.close();
  });

  it('posts ready and the button commands; restores the timeline position after a reload', async () => {
    const stopped = generateRun({ runId: 'run-b', cycles: 2, end: 'stopped', seed: 3 });
    const panel = await openPanel(browser, server, { theme: 'vscode-light' });
    await panel.send({ type: 'reset', runId: 'run-b', title: 'stopped run' });
    await panel.send({ type: 'events', events: stopped.slice(0, Math.floor(stopped.length / 2)) });
    const running = stopped.slice(0, Math.floor(stopped.length / 2));
    assert.equal(running.some((e) => e.type === 'stopped'), false);
    await panel.page.click('vscode-button[data-action="stop"]');
    await panel.send({ type: 'events', events: stopped.slice(Math.floor(stopped.length / 2)) });
    assert.equal(await panel.page.textContent('.status'), 'stopped');
    assert.equal(await panel.page.isVisible('vscode-button[data-action="stop"]'), false, 'a stopped run has no Stop');
    assert.equal(await panel.page.getAttribute('vscode-button[data-action="export"]', 'disabled'), '', 'a stopped run has no trained weights to export');
    await panel.page.click('vscode-button[data-action="resume"]');
    await panel.page.click('vscode-button[data-action="openArchitecture"]');
    await panel.page.click('vscode-button[data-action="compareWithCommitted"]');
    // Keyboard activation of a button.
    await panel.page.focus('vscode-button[data-action="resume"]');
    await panel.page.keyboard.press('Enter');
    const posted = (await panel.posted()).map((m) => m.type);
    assert.deepEqual(posted, ['ready', 'stop', 'resume', 'openArchitecture', 'compareWithCommitted', 'resume']);

    await panel.page.click('button[aria-label^="First snapshot"]');
    await panel.page.click('button[aria-label^="Next change"]');
    await panel.page.waitForFunction(() => document.getElementById('resbuilder-panel')!.dataset.snapshot === '1');
    await panel.page.reload();
    await panel.page.waitForFunction(() => (window as unknown as { __panelMessages: { type: string }[] }).__panelMessages.some((m) => m.type === 'ready'));
    await panel.send({ type: 'reset', runId: 'run-b', title: 'stopped run' });
    const restored = await panel.send({ type: 'events', events: stopped });
    assert.equal(restored.snapshotIndex, 1);
    await panel.page.close();
  });
});
