/**
 * The run panel's controller: validates what the host sends, feeds events into the run model
 * (one state update per message, however many events it holds) and renders at most once per
 * animation frame, touching only the parts whose data changed.
 */
import type { Architecture } from '../src/core/arch/types';
import { ArchitectureView } from './architecture-view';
import { parseHostMessage, type HostMessage } from '../src/protocol/panel';
import { ChangesView } from './changes-view';
import { changeMarkers, RunCharts } from './charts';
import { diffArchitectures, type ArchitectureDiff } from './compare';
import { CompareView } from './compare-view';
import { h, replaceChildren } from './dom';
import { HeaderView } from './header-view';
import type { PanelHost } from './host';
import { isStructural, RunModel, type ChangeRecord } from './run-model';
import { layoutStack } from './stack-layout';
import { attachStackKeyboard, renderStack } from './stack-view';
import { changeVerb, TimelineView } from './timeline-view';

/** Dispatched on window after every render; benchmarks and tests wait for it. */
export const RENDERED_EVENT = 'resbuilder:rendered';

export interface RenderedDetail {
  /** Highest event seq the render reflects. */
  seq: number;
  snapshotIndex: number;
  blocks: number;
  /** Time spent validating and ingesting the messages since the previous render, and rendering. */
  ingestMs: number;
  renderMs: number;
}

const LOG_PREFIX = '[ResBuilder panel]';

export class Panel {
  private model = new RunModel();
  private title = '';
  /** Snapshot shown, or null to follow the run live. */
  private position: number | null = null;
  private pendingPosition: number | null = null;
  private frame = 0;
  private stackKey = '';
  private timelineKey = '';
  private renderedOnce = false;
  private ingestMs = 0;
  private generation = 0;

  private readonly header: HeaderView;
  private readonly timeline: TimelineView;
  private readonly changes: ChangesView;
  private readonly charts = new RunCharts();
  private readonly compare: CompareView;
  private readonly architecture: ArchitectureView;
  private readonly stack = h('div', { className: 'stack', attrs: { role: 'region', 'aria-label': 'Residual stack', tabindex: -1 } });
  private readonly announcer = h('div', { className: 'sr-only', attrs: { 'aria-live': 'polite', 'aria-atomic': 'true' } });
  private readonly main: HTMLElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: PanelHost,
  ) {
    this.header = new HeaderView((action) => this.host.post({ type: action }));
    this.timeline = new TimelineView(
      (position) => this.seek(position),
      () => ({ index: this.shownIndex(), count: this.model.snapshots.length }),
    );
    this.changes = new ChangesView((index) => this.seek(index));
    this.compare = new CompareView(() => this.closeCompare());
    this.architecture = new ArchitectureView((action) => this.host.post({ type: action }));
    attachStackKeyboard(this.stack);

    this.main = h('div', {
      className: 'panel-grid',
      children: [
        h('section', {
          className: 'pane pane--stack',
          attrs: { 'aria-labelledby': 'stack-heading' },
          children: [h('h2', { className: 'panel-subtitle', attrs: { id: 'stack-heading' }, text: 'Residual stack' }), this.timeline.element, this.changes.detail, this.stack],
        }),
        h('section', {
          className: 'pane pane--side',
          attrs: { 'aria-labelledby': 'curves-heading' },
          children: [h('h2', { className: 'panel-subtitle', attrs: { id: 'curves-heading' }, text: 'Training curves' }), this.charts.element, this.changes.element],
        }),
      ],
    });
    replaceChildren(root, h('main', { className: 'panel', children: [this.header.element, this.main, this.compare.element, this.architecture.element, this.announcer] }));
    this.watchTheme();
    this.watchKeys();
    this.scheduleRender();
  }

  /** Handles one message from the host; anything invalid is ignored with a console warning. */
  handle(data: unknown): void {
    const started = performance.now();
    let message: HostMessage;
    try {
      message = parseHostMessage(data, 'the extension host', { onInvalidEvent: (error) => console.warn(LOG_PREFIX, `${error.message}; the event was skipped.`) });
    } catch (error) {
      console.warn(LOG_PREFIX, `Ignored a message: ${(error as Error).message}`);
      return;
    }
    switch (message.type) {
      case 'reset':
        this.reset(message.runId, message.title);
        break;
      case 'events': {
        const live = this.renderedOnce && this.model.snapshots.length > 0;
        const result = this.model.ingest(message.events);
        for (const warning of result.warnings) console.warn(LOG_PREFIX, warning);
        if (this.pendingPosition !== null && this.model.snapshots.length > this.pendingPosition) {
          this.position = this.pendingPosition;
          this.pendingPosition = null;
        }
        if (live) this.announce(result.newChanges);
        break;
      }
      case 'compare':
        // A compare view of its own shows no run: no run header, and nothing to close back to.
        this.withoutRun();
        this.compare.show(message.left, message.right, { closable: false });
        break;
      case 'architecture':
        this.withoutRun();
        this.architecture.show(message.label, message.architecture, message.error, message.canExport);
        break;
      case 'trainerGone':
        this.model.end(message.message, message.resumable);
        break;
    }
    this.ingestMs += performance.now() - started;
    this.scheduleRender();
  }

  private reset(runId: string, title: string): void {
    this.model = new RunModel(runId);
    this.title = title;
    this.position = null;
    this.generation++;
    this.stackKey = this.timelineKey = '';
    this.renderedOnce = false;
    this.changes.reset();
    this.header.reset();
    const saved = this.host.getState();
    this.pendingPosition = saved && saved.runId === runId ? saved.position : null;
  }

  private shownIndex(): number {
    const count = this.model.snapshots.length;
    if (count === 0) return -1;
    return this.position === null ? count - 1 : Math.min(this.position, count - 1);
  }

  /** Shows snapshot `position`, or follows the run live for null. */
  seek(position: number | null): void {
    const count = this.model.snapshots.length;
    this.position = position === null || count === 0 || position >= count - 1 ? null : Math.max(0, position);
    this.pendingPosition = null;
    if (this.model.runId !== undefined) this.host.setState({ runId: this.model.runId, position: this.position });
    this.scheduleRender();
  }

  private withoutRun(): void {
    this.header.element.hidden = true;
    this.main.hidden = true;
  }

  private closeCompare(): void {
    this.compare.hide();
    this.main.hidden = false;
    this.scheduleRender();
  }

  private scheduleRender(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const started = performance.now();
    const model = this.model;
    const index = this.shownIndex();
    const shown = index >= 0 ? model.snapshots[index] : undefined;
    const live = this.position === null;
    const indexChanged = `${this.generation}:${index}:${model.snapshots.length}` !== this.timelineKey;

    if (model.dirty.header || indexChanged) this.header.render(model, shown, this.title);
    if (model.dirty.snapshots || model.dirty.changes || indexChanged) {
      this.timelineKey = `${this.generation}:${index}:${model.snapshots.length}`;
      this.timeline.render(model, Math.max(0, index), live);
      this.root.classList.toggle('is-live', live);
    }
    let diff: ArchitectureDiff | undefined;
    const stackKey = `${this.generation}:${index}`;
    if (stackKey !== this.stackKey || (model.dirty.changes && shown)) {
      const previous = shown && shown.cause === 'change' && index > 0 ? model.snapshots[index - 1] : undefined;
      if (shown && previous) diff = diffArchitectures(previous.architecture, shown.architecture);
      if (stackKey !== this.stackKey) this.renderStack(index, previous?.architecture);
      this.changes.render(model, index, diff);
      this.stackKey = stackKey;
    } else if (model.dirty.changes) {
      this.changes.render(model, index, undefined);
    }
    if (!this.main.hidden) {
      if (model.dirty.curves) this.charts.update(model);
      this.charts.setMarkers(changeMarkers(model), index);
      model.clearDirty();
    } else {
      // The curves stay dirty until the charts are visible (uPlot needs a measured size).
      const curves = model.dirty.curves;
      model.clearDirty();
      model.dirty.curves = curves;
    }
    this.renderedOnce = true;
    const detail: RenderedDetail = {
      seq: model.lastSeq,
      snapshotIndex: index,
      blocks: shown ? shown.architecture.skips.length : 0,
      ingestMs: this.ingestMs,
      renderMs: performance.now() - started,
    };
    this.ingestMs = 0;
    this.root.dataset.seq = String(model.lastSeq);
    this.root.dataset.snapshot = String(index);
    window.dispatchEvent(new CustomEvent(RENDERED_EVENT, { detail }));
  }

  private renderStack(index: number, previous: Architecture | undefined): void {
    const shown = this.model.snapshots[index];
    if (!shown) {
      replaceChildren(this.stack, h('p', { className: 'muted empty', text: 'Waiting for the run’s first architecture…' }));
      return;
    }
    try {
      const layout = layoutStack(shown.architecture, previous);
      const blocks = shown.architecture.skips.length;
      renderStack(this.stack, layout, `Residual stack, snapshot ${index + 1} of ${this.model.snapshots.length}: ${blocks} block${blocks === 1 ? '' : 's'}, depth ${shown.depth}`);
    } catch (error) {
      replaceChildren(this.stack, h('p', { className: 'run-message run-message--error', text: `This architecture cannot be drawn: ${(error as Error).message}` }));
    }
  }

  private announce(changes: ChangeRecord[]): void {
    const last = [...changes].reverse().find((c) => isStructural(c.change));
    if (!last) return;
    this.announcer.textContent = `${changeVerb(last)}: ${last.change.reason}`;
  }

  private watchTheme(): void {
    // VS Code swaps body classes (vscode-light, vscode-dark, vscode-high-contrast) and the
    // --vscode-* variables on <html> when the theme changes; the charts read colours once.
    let pending = 0;
    const observer = new MutationObserver(() => {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(() => this.charts.retheme());
    });
    observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  }

  private watchKeys(): void {
    // Scrubbing from anywhere that is not a control of its own.
    document.addEventListener('keydown', (event) => {
      const target = event.target as HTMLElement | null;
      if (target && target !== document.body && target.closest('input, button, vscode-button, .stack, .compare, [role="button"], textarea, select')) return;
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      const count = this.model.snapshots.length;
      const index = this.shownIndex();
      if (event.key === 'ArrowLeft') this.seek(Math.max(0, index - 1));
      else if (event.key === 'ArrowRight') this.seek(index + 1);
      else if (event.key === 'Home') this.seek(0);
      else if (event.key === 'End') this.seek(count - 1);
      else return;
      event.preventDefault();
    });
  }
}
