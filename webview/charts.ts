/**
 * The run's curves, drawn with uPlot: loss and accuracy per epoch (x = epoch index over the
 * whole run) and the network's parameters and FLOPs after each snapshot, with every structural
 * change marked as a vertical line. Updates are cheap (`setData`) and the panel calls `update`
 * at most once per animation frame.
 */
import uPlot from 'uplot';
import { h } from './dom';
import { formatCount } from '../src/core/format';
import type { RunModel } from './run-model';
import { isStructural } from './run-model';

export interface ChangeMarker {
  /** x in epoch units: the change happened after this many epochs (+0.5, between epochs). */
  x: number;
  kind: 'insert' | 'delete' | 'resize';
  /** Index of the snapshot the change produced, when known. */
  snapshotIndex?: number;
}

interface Palette {
  foreground: string;
  muted: string;
  grid: string;
  train: string;
  validation: string;
  params: string;
  flops: string;
  insert: string;
  delete: string;
  resize: string;
  font: string;
}

function readPalette(el: Element): Palette {
  const style = getComputedStyle(el);
  const v = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  const family = v('--rb-font-family', 'system-ui, sans-serif');
  return {
    foreground: v('--rb-fg', '#cccccc'),
    muted: v('--rb-muted', '#9d9d9d'),
    grid: v('--rb-grid', 'rgba(128,128,128,0.18)'),
    train: v('--rb-chart-train', '#3794ff'),
    validation: v('--rb-chart-validation', '#d18616'),
    params: v('--rb-chart-params', '#b180d7'),
    flops: v('--rb-chart-flops', '#89d185'),
    insert: v('--rb-insert', '#89d185'),
    delete: v('--rb-delete', '#f14c4c'),
    resize: v('--rb-resize', '#3794ff'),
    font: `11px ${family}`,
  };
}

type Data = uPlot.AlignedData;

/**
 * Every chart spans epoch 0 to the last epoch, so the curves line up under each other. An
 * explicit range also avoids a zero-width x scale (one data point), on which uPlot finds no
 * tick spacing and fails to draw its axes.
 */
const epochScale = (xMax: () => number): uPlot.Scale => ({ time: false, range: () => [0, xMax()] });

interface ChartSpec {
  title: string;
  build: (palette: Palette) => Pick<uPlot.Options, 'series' | 'axes' | 'scales'>;
  data: (model: RunModel) => Data;
}

function axis(palette: Palette, extra: Partial<uPlot.Axis> = {}): uPlot.Axis {
  return {
    stroke: palette.muted,
    font: palette.font,
    labelFont: palette.font,
    grid: { stroke: palette.grid, width: 1 },
    ticks: { stroke: palette.grid, width: 1, size: 4 },
    size: 42,
    ...extra,
  };
}

const epochAxis = (palette: Palette): uPlot.Axis => axis(palette, { size: 28, values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : '')) });

function metricSpec(xMax: () => number, title: string, train: keyof RunModel['epochs'], validation: keyof RunModel['epochs'], format: (v: number) => string): ChartSpec {
  return {
    title,
    build: (p) => ({
      scales: { x: epochScale(xMax) },
      axes: [epochAxis(p), axis(p, { values: (_u, ticks) => ticks.map(format) })],
      series: [
        { label: 'epoch', value: (_u, v) => (v == null ? '–' : String(v)) },
        { label: 'train', stroke: p.train, width: 1.5, points: { show: false }, value: (_u, v) => (v == null ? '–' : format(v)) },
        { label: 'validation', stroke: p.validation, width: 1.5, dash: [5, 3], points: { show: false }, spanGaps: true, value: (_u, v) => (v == null ? '–' : format(v)) },
      ],
    }),
    data: (model) => [model.epochs.x, model.epochs[train] as number[], model.epochs[validation] as (number | null)[]],
  };
}

/** Parameters and FLOPs as steps: each snapshot holds until the next one. */
function costData(model: RunModel): Data {
  const x: number[] = [];
  const params: number[] = [];
  const flops: number[] = [];
  for (const snap of model.snapshots) {
    const at = snap.epochsDone + 0.5;
    if (x.length && x[x.length - 1] === at) {
      params[params.length - 1] = snap.params;
      flops[flops.length - 1] = snap.flops;
    } else {
      x.push(at);
      params.push(snap.params);
      flops.push(snap.flops);
    }
  }
  const end = model.epochsDone + 0.5;
  if (x.length && end > x[x.length - 1]) {
    x.push(end);
    params.push(params[params.length - 1]);
    flops.push(flops[flops.length - 1]);
  }
  return [x, params, flops];
}

const costSpec = (xMax: () => number): ChartSpec => ({
  title: 'Parameters and FLOPs',
  build: (p) => {
    const stepped = uPlot.paths.stepped!({ align: 1 });
    return {
      scales: { x: epochScale(xMax), params: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] }, flops: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        epochAxis(p),
        axis(p, { scale: 'params', stroke: p.params, values: (_u, ticks) => ticks.map((t) => formatCount(t)) }),
        axis(p, { scale: 'flops', side: 1, size: 52, stroke: p.flops, grid: { show: false }, values: (_u, ticks) => ticks.map((t) => formatCount(t)) }),
      ],
      series: [
        { label: 'after epoch', value: (_u, v) => (v == null ? '–' : String(Math.floor(v))) },
        { label: 'parameters', scale: 'params', stroke: p.params, width: 1.5, paths: stepped, points: { show: false }, value: (_u, v) => (v == null ? '–' : formatCount(v)) },
        { label: 'FLOPs', scale: 'flops', stroke: p.flops, width: 1.5, paths: stepped, points: { show: false }, value: (_u, v) => (v == null ? '–' : formatCount(v)) },
      ],
    };
  },
  data: costData,
});

const makeSpecs = (xMax: () => number): ChartSpec[] => [
  metricSpec(xMax, 'Loss', 'trainLoss', 'validationLoss', (v) => (Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(2))),
  metricSpec(xMax, 'Accuracy', 'trainAccuracy', 'validationAccuracy', (v) => `${(v * 100).toFixed(0)}%`),
  costSpec(xMax),
];

export function changeMarkers(model: RunModel): ChangeMarker[] {
  const markers: ChangeMarker[] = [];
  for (const record of model.changes) {
    const kind = record.change.kind;
    if (!isStructural(record.change) || (kind !== 'insert' && kind !== 'delete' && kind !== 'resize')) continue;
    markers.push({ x: record.epochsDone + 0.5, kind, ...(record.snapshotIndex !== undefined ? { snapshotIndex: record.snapshotIndex } : {}) });
  }
  return markers;
}

export class RunCharts {
  readonly element: HTMLElement;
  private plots: uPlot[] = [];
  private readonly slots: HTMLElement[];
  private palette: Palette;
  private markers: ChangeMarker[] = [];
  private selectedSnapshot: number | undefined;
  private width = 0;
  private readonly height = 150;
  private lastModel: RunModel | undefined;
  private xMax = 1;
  private readonly specs = makeSpecs(() => this.xMax);

  constructor() {
    this.slots = this.specs.map((spec) =>
      h('figure', {
        className: 'chart',
        attrs: { 'aria-label': `${spec.title} chart` },
        children: [h('figcaption', { className: 'chart-title', text: spec.title })],
      }),
    );
    const key = h('div', {
      className: 'marker-key',
      attrs: { 'aria-hidden': 'true' },
      children: [h('span', { className: 'key--insert', text: 'block inserted' }), h('span', { className: 'key--delete', text: 'block deleted' }), h('span', { className: 'key--resize', text: 'widths resized' })],
    });
    this.element = h('div', { className: 'charts', children: [key, ...this.slots] });
    this.palette = readPalette(document.body);
    // The width comes from the observer, so updates never force a synchronous layout.
    new ResizeObserver((entries) => {
      for (const entry of entries) if (entry.target === this.slots[0]) this.resize(Math.floor(entry.contentRect.width));
    }).observe(this.slots[0]);
  }

  /** Re-reads the theme colours and rebuilds the plots. */
  retheme(): void {
    this.palette = readPalette(document.body);
    for (const plot of this.plots) plot.destroy();
    this.plots = [];
    if (this.lastModel) this.update(this.lastModel);
  }

  setMarkers(markers: ChangeMarker[], selectedSnapshot: number | undefined): void {
    const same = markers.length === this.markers.length && selectedSnapshot === this.selectedSnapshot;
    this.markers = markers;
    this.selectedSnapshot = selectedSnapshot;
    if (!same) for (const plot of this.plots) plot.redraw(false, false);
  }

  update(model: RunModel): void {
    this.lastModel = model;
    this.xMax = Math.max(1, model.epochsDone + 1);
    if (this.width <= 0) return;
    if (this.plots.length === 0) {
      this.plots = this.specs.map((spec, i) => this.create(spec, model, i));
      return;
    }
    this.specs.forEach((spec, i) => this.plots[i].setData(spec.data(model)));
  }

  private resize(width: number): void {
    if (width <= 0 || width === this.width) return;
    this.width = width;
    if (this.plots.length === 0 && this.lastModel) this.update(this.lastModel);
    for (const plot of this.plots) plot.setSize({ width, height: this.height });
  }

  private create(spec: ChartSpec, model: RunModel, index: number): uPlot {
    const palette = this.palette;
    const built = spec.build(palette);
    const options: uPlot.Options = {
      width: this.width,
      height: this.height,
      ...built,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      hooks: { draw: [(u) => this.drawMarkers(u)] },
    };
    return new uPlot(options, spec.data(model), this.slots[index]);
  }

  private drawMarkers(u: uPlot): void {
    if (this.markers.length === 0) return;
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const ratio = window.devicePixelRatio || 1;
    ctx.save();
    for (const marker of this.markers) {
      const px = Math.round(u.valToPos(marker.x, 'x', true));
      if (px < left || px > left + width) continue;
      const selected = marker.snapshotIndex !== undefined && marker.snapshotIndex === this.selectedSnapshot;
      ctx.strokeStyle = this.palette[marker.kind];
      ctx.globalAlpha = selected ? 1 : 0.4;
      ctx.lineWidth = (selected ? 2.5 : 1) * ratio;
      ctx.setLineDash(marker.kind === 'resize' ? [3 * ratio, 3 * ratio] : []);
      ctx.beginPath();
      ctx.moveTo(px + 0.5, top);
      ctx.lineTo(px + 0.5, top + height);
      ctx.stroke();
    }
    ctx.restore();
  }
}
