/**
 * The run header: title and state, where the search is (phase, cycle/step, epoch), backend and
 * dataset, totals of the architecture shown, and the actions (Stop, Resume, Open architecture,
 * Compare with committed) as VS Code buttons.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import type { PanelMessageType } from '../src/protocol/panel';
import { h, replaceChildren } from './dom';
import { formatCount, formatDuration, formatFlops, formatPercent } from '../src/core/format';
import { actionButton } from './action-button';
import type { IconName } from './icons';
import type { RunModel, Snapshot } from './run-model';
import { statusLine } from './run-status';

type Action = Extract<PanelMessageType, 'stop' | 'resume' | 'openArchitecture' | 'compareWithCommitted' | 'export'>;

/** Writes text only when it differs: every write invalidates layout, even of the same text. */
function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

function field(label: string, wide = false): { el: HTMLElement; value: HTMLElement } {
  const value = h('dd', { className: 'field-value', text: '–' });
  const el = h('div', { className: wide ? 'field field--wide' : 'field', children: [h('dt', { className: 'field-label', text: label }), value] });
  return { el, value };
}

export class HeaderView {
  readonly element: HTMLElement;
  private readonly title = h('h1', { className: 'run-title', text: 'ResBuilder run' });
  private readonly status = h('span', { className: 'status status--waiting', attrs: { role: 'status' }, text: 'waiting for events' });
  private readonly message = h('p', { className: 'run-message', attrs: { hidden: true } });
  private readonly progressBar = h('div', { className: 'progress-fill' });
  private readonly progress = h('div', {
    className: 'progress',
    attrs: { role: 'progressbar', 'aria-label': 'Epoch progress', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0 },
    children: [this.progressBar],
  });
  private readonly fields = {
    phase: field('Phase', true),
    position: field('Cycle / step'),
    // The epoch within the training under way (a search runs many), not of the whole run.
    epoch: field('Epoch of this training'),
    metrics: field('Accuracy'),
    backend: field('Backend'),
    dataset: field('Dataset', true),
  };
  private readonly totals = {
    depth: field('Depth'),
    blocks: field('Blocks'),
    params: field('Parameters'),
    flops: field('FLOPs'),
  };
  private readonly buttons: Record<Action, VscodeButton>;

  constructor(onAction: (action: Action) => void) {
    const button = (action: Action, label: string, iconName: IconName, secondary: boolean): VscodeButton => actionButton(action, label, iconName, secondary, onAction);
    this.buttons = {
      stop: button('stop', 'Stop', 'stop', false),
      resume: button('resume', 'Resume', 'play', false),
      openArchitecture: button('openArchitecture', 'Open architecture', 'file', true),
      compareWithCommitted: button('compareWithCommitted', 'Compare with committed', 'compare', true),
      export: button('export', 'Export…', 'export', true),
    };
    this.element = h('header', {
      className: 'run-header',
      children: [
        h('div', {
          className: 'run-heading',
          children: [
            h('div', { className: 'run-title-line', children: [this.title, this.status] }),
            h('div', { className: 'run-actions', attrs: { role: 'toolbar', 'aria-label': 'Run actions' }, children: Object.values(this.buttons) }),
          ],
        }),
        this.message,
        h('dl', { className: 'fields', children: Object.values(this.fields).map((f) => f.el) }),
        this.progress,
        h('dl', { className: 'fields fields--totals', attrs: { 'aria-label': 'Architecture totals' }, children: Object.values(this.totals).map((f) => f.el) }),
      ],
    });
  }

  render(model: RunModel, shown: Snapshot | undefined, title: string): void {
    setText(this.title, title || model.runId || 'ResBuilder run');
    const line = statusLine(model.summary, model.lastLog);
    this.status.className = `status status--${line.tone}`;
    setText(this.status, line.label);
    this.message.hidden = !line.message;
    setText(this.message, line.message);
    this.message.className = `run-message run-message--${line.error ? 'error' : 'info'}`;

    const f = this.fields;
    const phase = model.summary.phase;
    setText(f.phase.value, phase ? phase.label : '–');
    setText(f.position.value, phase?.cycle !== undefined ? `${phase.cycle} / ${phase.step ?? '–'}` : '–');
    const p = model.progress;
    if (p) {
      const eta = line.canStop && p.etaSeconds > 0 ? ` · ${formatDuration(p.etaSeconds)} left` : '';
      setText(f.epoch.value, `${p.epoch} / ${p.epochs} · ${Math.round(p.imagesPerSecond)} img/s${eta}`);
      const fraction = Math.min(1, Math.max(0, (p.epoch - 1 + p.batch / p.batches) / p.epochs));
      this.progressBar.style.transform = `scaleX(${fraction.toFixed(4)})`;
      this.progress.setAttribute('aria-valuenow', String(Math.round(fraction * 100)));
    } else {
      setText(f.epoch.value, '–');
      this.progressBar.style.transform = 'scaleX(0)';
    }
    const last = model.lastEpoch;
    const testAccuracy = model.summary.state === 'finished' ? model.summary.testAccuracy : null;
    setText(f.metrics.value, testAccuracy !== null
      ? `test ${formatPercent(testAccuracy)}`
      : last
        ? `train ${formatPercent(last.trainAccuracy)}${last.validationAccuracy !== undefined ? ` · val ${formatPercent(last.validationAccuracy)}` : ''}`
        : '–');
    const backend = model.backend;
    setText(f.backend.value, backend ? `${backend.name}${backend.threads ? ` · ${backend.threads} thread${backend.threads === 1 ? '' : 's'}` : ''}` : '–');
    if (backend?.skipped.length) f.backend.value.title = backend.skipped.map((s) => `${s.name}: ${s.reason}`).join('\n');
    const d = model.dataset;
    setText(f.dataset.value, d ? `${d.name} ${d.inputShape.join('×')}, ${d.numClasses} classes` : '–');
    f.dataset.value.title = d ? `${d.source}\ntrain ${d.trainSize}, validation ${d.validationSize}, test ${d.testSize}\n${d.fingerprint}` : '';

    const t = this.totals;
    setText(t.depth.value, shown ? String(shown.depth) : '–');
    setText(t.blocks.value, shown ? String(shown.architecture.skips.length) : '–');
    setText(t.params.value, shown ? formatCount(shown.params) : '–');
    setText(t.flops.value, shown ? formatFlops(shown.flops) : '–');

    // Only the actions that can work are shown: Stop while a trainer runs, Resume when a
    // checkpoint waits; a finished run has neither.
    this.setShown('stop', line.canStop);
    this.setShown('resume', line.canResume);
    this.setEnabled('openArchitecture', model.snapshots.length > 0);
    this.setEnabled('compareWithCommitted', model.snapshots.length > 0);
    this.setEnabled('export', line.canExport);
  }

  private setShown(action: Action, shown: boolean): void {
    const b = this.buttons[action];
    if (b.hidden === !shown) return;
    b.hidden = !shown;
  }

  private setEnabled(action: Action, enabled: boolean): void {
    const b = this.buttons[action];
    if (b.disabled === !enabled) return;
    b.disabled = !enabled;
  }

  /** Clears the header for a new run. */
  reset(): void {
    replaceChildren(this.message);
    this.message.hidden = true;
  }
}
