/**
 * `resbuilder report <sweep>`: a row per task (seed, settings, state, found depth, parameters,
 * FLOPs, test accuracy), mean ± SD per setting, and the accuracy-against-FLOPs picture, written
 * to `report.md`, `report.svg` and `report.png` in the sweep folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { describeSettings } from '../../core/sweep/expand';
import { summarizeBySetting, type ResultRow, type Stat } from '../../core/sweep/summary';
import { accuracyFlopsSvg, svgToPng, type PlotPoint } from './plot';
import { formatTable, schedulerView, taskRows, type TaskRow } from './status';
import { openSweep } from './sweep-folder';

const ArchMetricsSchema = z.object({ metrics: z.object({ depth: z.number(), params: z.number(), flops: z.number(), testAccuracy: z.number() }) });

export interface ReportRow extends ResultRow {
  index: number;
  seed: number;
  state: TaskRow['state'];
}

export interface SweepReport {
  sweepId: string;
  rows: ReportRow[];
  text: string;
  files: { markdown: string; svg: string | null; png: string | null };
}

function resultOf(row: TaskRow): Pick<ResultRow, 'testAccuracy' | 'flops' | 'params' | 'depth'> {
  const finished = [...row.events].reverse().find((e) => e.type === 'finished');
  if (!finished || finished.type !== 'finished') return { testAccuracy: null, flops: null, params: null, depth: null };
  let depth: number | null = null;
  try {
    const parsed = ArchMetricsSchema.safeParse(JSON.parse(fs.readFileSync(finished.archPath, 'utf8')));
    if (parsed.success) depth = parsed.data.metrics.depth;
  } catch {
    // The .arch.json was moved or deleted; the event still has the rest.
  }
  return { testAccuracy: finished.test.accuracy, flops: finished.flops, params: finished.params, depth };
}

const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(2)} %`);
const mega = (v: number | null) => (v === null ? '–' : (v / 1e6).toFixed(2));
const stat = (s: Stat | null, show: (v: number) => string) => (s === null ? '–' : s.n > 1 ? `${show(s.mean)} ± ${show(s.sd)}` : show(s.mean));

export async function sweepReport(target: string): Promise<SweepReport> {
  const sweep = openSweep(target);
  const view = await schedulerView(sweep.manifest.slurm.jobId ? [sweep.manifest.slurm.jobId] : []);
  const rows: ReportRow[] = taskRows(sweep, view).map((r) => ({ index: r.index, seed: r.seed, settings: r.settings, state: r.state, ...resultOf(r) }));
  const taskTable = formatTable(
    ['task', 'seed', 'settings', 'state', 'depth', 'params (M)', 'MFLOPs', 'test accuracy'],
    rows.map((r) => [String(r.index), String(r.seed), describeSettings(r.settings), r.state, r.depth === null ? '–' : String(r.depth), mega(r.params), mega(r.flops), pct(r.testAccuracy)]),
  );
  const summaries = summarizeBySetting(rows);
  const summaryTable = formatTable(
    ['settings', 'finished', 'test accuracy (mean ± SD)', 'MFLOPs', 'params (M)', 'depth'],
    summaries.map((s) => [s.setting, `${s.testAccuracy?.n ?? 0}/${s.tasks}`, stat(s.testAccuracy, (v) => `${(v * 100).toFixed(2)} %`),
      stat(s.flops, (v) => (v / 1e6).toFixed(2)), stat(s.params, (v) => (v / 1e6).toFixed(3)), stat(s.depth, (v) => v.toFixed(1))]),
  );
  const points: PlotPoint[] = rows.filter((r) => r.testAccuracy !== null && r.flops !== null).map((r) => ({
    task: r.index, seed: r.seed, setting: describeSettings(r.settings), mflops: r.flops! / 1e6, accuracy: r.testAccuracy! * 100,
  }));
  const files = { markdown: path.join(sweep.dir, 'report.md'), svg: null as string | null, png: null as string | null };
  if (points.length > 0) {
    const svg = await accuracyFlopsSvg(points, `${sweep.manifest.sweepId}: test accuracy against FLOPs`);
    files.svg = path.join(sweep.dir, 'report.svg');
    files.png = path.join(sweep.dir, 'report.png');
    fs.writeFileSync(files.svg, svg);
    fs.writeFileSync(files.png, await svgToPng(svg));
  }
  const text = `sweep ${sweep.manifest.sweepId} (job ${sweep.manifest.slurm.jobId ?? 'not submitted'})\n\n${taskTable}\n\nper setting:\n${summaryTable}\n`;
  const markdown = `# Sweep ${sweep.manifest.sweepId}\n\nConfig: \`${sweep.manifest.configPath}\`, Slurm job ${sweep.manifest.slurm.jobId ?? '–'}.\n\n` +
    `\`\`\`\n${taskTable}\n\`\`\`\n\n## Per setting\n\n\`\`\`\n${summaryTable}\n\`\`\`\n` + (files.png ? `\n![test accuracy against FLOPs](report.png)\n` : '');
  fs.writeFileSync(files.markdown, markdown);
  return { sweepId: sweep.manifest.sweepId, rows, text, files };
}
