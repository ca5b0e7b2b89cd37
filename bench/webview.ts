/**
 * Run panel benchmark in headless Chromium: replays a 10,000-event run in one batch and
 * measures the time until the stack is rendered, then appends 200 live events one at a time
 * and measures each one's redraw. Prints a table and writes bench-results/webview.json.
 *
 *   npm run bench:webview
 *
 * "latency" runs from postMessage to the end of the frame's work (validation, model update,
 * the render in requestAnimationFrame, uPlot's redraw, style and layout), so it includes
 * waiting for the next frame; "work" is that work without the wait, i.e. what has to fit into
 * a 16.7 ms frame. Painting is not measured. The machine's load shows in every figure.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import type { TrainerEvent } from '../src/protocol/events';
import { quantile as sharedQuantile } from '../src/core/stats';
import { generateRunOfSize } from './lib/synthetic-run';
import { buildPanelBundle, launchChromium, openPanel, servePanel } from './lib/panel-page';

const REPLAY_EVENTS = 10_000;
const LIVE_EVENTS = 200;
const REPLAY_REPEATS = 5;
const ROOT = resolve(__dirname, '../..');

interface LiveSample {
  type: string;
  latencyMs: number;
  workMs: number;
  ingestMs: number;
  /** The panel's render and uPlot's redraw. */
  renderMs: number;
  /** Style and layout of the frame. */
  layoutMs: number;
}

interface PageResult {
  replays: { totalMs: number; ingestMs: number; renderMs: number; blocks: number }[];
  live: LiveSample[];
}

/** The shared quantile, NaN in the report for a series with no samples. */
function quantile(values: number[], q: number): number {
  return values.length === 0 ? NaN : sharedQuantile(values, q);
}

const ms = (v: number): string => v.toFixed(2).padStart(9);

async function main(): Promise<void> {
  const events = generateRunOfSize(REPLAY_EVENTS + LIVE_EVENTS, { runId: 'bench', cycles: 10, stepsPerCycle: 4, epochsPerPhase: 3, seed: 5 }).slice(0, REPLAY_EVENTS + LIVE_EVENTS);
  const replay = events.slice(0, REPLAY_EVENTS);
  const live = events.slice(REPLAY_EVENTS);
  const built = join(ROOT, 'dist/webview.js');
  const bundle = existsSync(built) ? built : await buildPanelBundle();
  const server = await servePanel(bundle);
  const browser = await launchChromium();
  try {
    const panel = await openPanel(browser, server);
    const result = await panel.page.evaluate(
      async ({ replay, live, repeats }: { replay: TrainerEvent[]; live: TrainerEvent[]; repeats: number }): Promise<PageResult> => {
        interface Detail { ingestMs: number; renderMs: number; blocks: number }
        interface Sent { detail: Detail; start: number; renderedAt: number; scriptDone: number; end: number }
        // The render runs in requestAnimationFrame and announces itself with an event; uPlot
        // redraws in a microtask queued during the render, so it has run by the time this
        // promise continues. Reading the layout then makes the browser do the frame's style
        // and layout work synchronously, where it can be timed (painting is not included).
        const send = (message: unknown): Promise<Sent> =>
          new Promise((done) => {
            let renderedAt = 0;
            let detail: Detail;
            const start = performance.now();
            window.addEventListener(
              'resbuilder:rendered',
              (e) => {
                renderedAt = performance.now();
                detail = (e as CustomEvent<Detail>).detail;
                void Promise.resolve().then(() => {
                  const scriptDone = performance.now();
                  void document.documentElement.getBoundingClientRect().height;
                  done({ detail, start, renderedAt, scriptDone, end: performance.now() });
                });
              },
              { once: true },
            );
            window.postMessage(message, '*');
          });
        const replays: PageResult['replays'] = [];
        for (let r = 0; r < repeats; r++) {
          await send({ type: 'reset', runId: 'bench', title: 'benchmark run' });
          const { detail, start, end } = await send({ type: 'events', events: replay });
          replays.push({ totalMs: end - start, ingestMs: detail.ingestMs, renderMs: detail.renderMs, blocks: detail.blocks });
        }
        const samples: LiveSample[] = [];
        for (const event of live) {
          const { detail, start, renderedAt, scriptDone, end } = await send({ type: 'events', events: [event] });
          samples.push({
            type: event.type,
            latencyMs: end - start,
            workMs: detail.ingestMs + detail.renderMs + (end - renderedAt),
            ingestMs: detail.ingestMs,
            renderMs: detail.renderMs + (scriptDone - renderedAt),
            layoutMs: end - scriptDone,
          });
        }
        return { replays, live: samples };
      },
      { replay, live, repeats: REPLAY_REPEATS },
    );
    const errors = panel.console.filter((c) => c.type === 'error' || c.type === 'pageerror' || c.type === 'warning');
    if (errors.length) throw new Error(`The panel reported problems during the benchmark:\n${errors.map((e) => e.text).join('\n')}`);

    const totals = result.replays.map((r) => r.totalMs);
    const latency = result.live.map((s) => s.latencyMs);
    const work = result.live.map((s) => s.workMs);
    const liveTypes: Record<string, number> = {};
    for (const s of result.live) liveTypes[s.type] = (liveTypes[s.type] ?? 0) + 1;
    const version = browser.version();
    const report = {
      date: new Date().toISOString(),
      chromium: version,
      cpus: cpus().length,
      replay: {
        events: replay.length,
        structuralChanges: replay.filter((e) => e.type === 'structural-change').length,
        snapshots: replay.filter((e) => e.type === 'architecture').length,
        repeats: REPLAY_REPEATS,
        firstMs: totals[0],
        medianMs: quantile(totals, 0.5),
        minMs: Math.min(...totals),
        maxMs: Math.max(...totals),
        medianIngestMs: quantile(result.replays.map((r) => r.ingestMs), 0.5),
        medianRenderMs: quantile(result.replays.map((r) => r.renderMs), 0.5),
        blocksDrawn: result.replays[0].blocks,
      },
      live: {
        events: result.live.length,
        types: liveTypes,
        latencyMedianMs: quantile(latency, 0.5),
        latencyP95Ms: quantile(latency, 0.95),
        workMedianMs: quantile(work, 0.5),
        workP95Ms: quantile(work, 0.95),
        workMaxMs: Math.max(...work),
        renderMedianMs: quantile(result.live.map((s) => s.renderMs), 0.5),
        layoutMedianMs: quantile(result.live.map((s) => s.layoutMs), 0.5),
        frameBudgetMs: 1000 / 60,
      },
    };

    console.log(`Run panel benchmark (Chromium ${version}, ${report.cpus} cores)`);
    console.log('');
    console.log('measure                                         ms');
    console.log('───────────────────────────────────────────  ─────────');
    console.log(`replay ${replay.length} events → stack rendered (1st) ${ms(report.replay.firstMs)}`);
    console.log(`replay, median of ${REPLAY_REPEATS}                        ${ms(report.replay.medianMs)}`);
    console.log(`  of which validate + ingest (median)          ${ms(report.replay.medianIngestMs)}`);
    console.log(`  of which render (median)                     ${ms(report.replay.medianRenderMs)}`);
    console.log(`live event latency to frame, median            ${ms(report.live.latencyMedianMs)}`);
    console.log(`live event latency to frame, p95               ${ms(report.live.latencyP95Ms)}`);
    console.log(`live event work, median                        ${ms(report.live.workMedianMs)}`);
    console.log(`live event work, p95                           ${ms(report.live.workP95Ms)}`);
    console.log(`live event work, max                           ${ms(report.live.workMaxMs)}`);
    console.log(`  of which render + uPlot (median)             ${ms(report.live.renderMedianMs)}`);
    console.log(`  of which style + layout (median)             ${ms(report.live.layoutMedianMs)}`);
    console.log('');
    console.log(`replay: ${report.replay.structuralChanges} structural changes, ${report.replay.snapshots} snapshots, ${report.replay.blocksDrawn} blocks drawn`);
    if (process.env.BENCH_VERBOSE) {
      console.log('replay totals', totals.map((v) => v.toFixed(1)).join(' '));
      for (const s of [...result.live].sort((a, b) => b.workMs - a.workMs).slice(0, 8)) console.log(JSON.stringify(s));
    }
    console.log(`live events: ${Object.entries(liveTypes).map(([t, n]) => `${n} ${t}`).join(', ')}`);

    const outDir = join(ROOT, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'webview.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwrote ${join(outDir, 'webview.json')}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exitCode = 1;
});
