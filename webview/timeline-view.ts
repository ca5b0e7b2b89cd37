/**
 * Scrubbing through the run's architecture snapshots: a slider with one stop per snapshot
 * (start, each structural change, resume, final), step buttons and a "Live" toggle that follows
 * new snapshots. The slider is a native range input, so arrow keys, Page Up/Down, Home and End
 * work and screen readers announce its value text.
 */
import { h, replaceChildren } from './dom';
import { icon, type IconName } from './icons';
import type { ChangeRecord, RunModel, Snapshot } from './run-model';

export function snapshotTitle(snapshot: Snapshot, change: ChangeRecord | undefined): string {
  switch (snapshot.cause) {
    case 'start':
      return 'Start architecture';
    case 'resume':
      return 'Resumed';
    case 'final':
      return 'Final architecture';
    case 'change':
      if (!change) return `Change ${(snapshot.changeIndex ?? 0) + 1}`;
      return `${changeVerb(change)}`;
  }
}

export function changeVerb(change: ChangeRecord): string {
  const c = change.change;
  switch (c.kind) {
    case 'insert':
      return `Inserted block ${c.blockId}`;
    case 'delete':
      return `Deleted block${c.blockIds.length === 1 ? '' : 's'} ${c.blockIds.join(', ')}`;
    case 'resize':
      return `Resized ${Object.keys(c.widths).length} layer${Object.keys(c.widths).length === 1 ? '' : 's'}`;
    case 'insert-skipped':
      return 'Insertion skipped';
    case 'delete-skipped':
      return 'Deletion skipped';
  }
}

export class TimelineView {
  readonly element: HTMLElement;
  private readonly slider = h('input', {
    className: 'timeline-slider',
    attrs: { type: 'range', min: 0, max: 0, step: 1, value: 0, 'aria-label': 'Architecture history' },
  });
  private readonly ticks = h('div', { className: 'timeline-ticks', attrs: { 'aria-hidden': 'true' } });
  private readonly label = h('div', { className: 'timeline-label' });
  private readonly liveButton: HTMLButtonElement;
  private readonly buttons: HTMLButtonElement[] = [];
  private tickCount = -1;

  constructor(onSeek: (position: number | null) => void, private readonly current: () => { index: number; count: number }) {
    const button = (name: IconName, label: string, action: () => number | null): HTMLButtonElement => {
      const b = h('button', { className: 'icon-button', attrs: { type: 'button', 'aria-label': label, title: label }, children: [icon(name)] });
      b.addEventListener('click', () => onSeek(action()));
      this.buttons.push(b);
      return b;
    };
    const first = button('first', 'First snapshot (Home)', () => 0);
    const prev = button('prev', 'Previous change (←)', () => Math.max(0, this.current().index - 1));
    const next = button('next', 'Next change (→)', () => Math.min(this.current().count - 1, this.current().index + 1));
    this.liveButton = h('button', {
      className: 'live-button',
      attrs: { type: 'button', 'aria-pressed': 'true', title: 'Follow the run as it changes (End)' },
      children: [h('span', { className: 'live-dot', attrs: { 'aria-hidden': 'true' } }), 'Live'],
    });
    this.liveButton.addEventListener('click', () => onSeek(null));
    this.slider.addEventListener('input', () => {
      const value = Number(this.slider.value);
      onSeek(value >= this.current().count - 1 ? null : value);
    });
    this.element = h('div', {
      className: 'timeline',
      attrs: { role: 'group', 'aria-label': 'Timeline of structural changes' },
      children: [
        h('div', {
          className: 'timeline-controls',
          children: [first, prev, h('div', { className: 'timeline-track', children: [this.slider, this.ticks] }), next, this.liveButton],
        }),
        this.label,
      ],
    });
    // Left/Right/Home/End anywhere in the timeline group (not only on the slider itself).
    this.element.addEventListener('keydown', (event) => {
      if (event.target === this.slider) return;
      const { index, count } = this.current();
      const target =
        event.key === 'ArrowLeft' ? Math.max(0, index - 1)
        : event.key === 'ArrowRight' ? Math.min(count - 1, index + 1)
        : event.key === 'Home' ? 0
        : event.key === 'End' ? count - 1
        : undefined;
      if (target === undefined) return;
      event.preventDefault();
      onSeek(target >= count - 1 ? null : target);
    });
  }

  render(model: RunModel, index: number, live: boolean): void {
    const count = model.snapshots.length;
    this.slider.max = String(Math.max(0, count - 1));
    this.slider.value = String(Math.max(0, index));
    this.slider.disabled = count <= 1;
    for (const b of this.buttons) b.disabled = count <= 1;
    this.liveButton.setAttribute('aria-pressed', String(live));
    this.liveButton.classList.toggle('live-button--on', live);
    const snapshot = model.snapshots[index];
    const change = snapshot?.changeIndex !== undefined ? model.changeAt(snapshot.changeIndex) : undefined;
    const title = snapshot ? snapshotTitle(snapshot, change) : 'No architecture yet';
    const where = change ? ` · cycle ${change.cycle}, step ${change.step}` : '';
    const position = count ? `${index + 1} / ${count}` : '0 / 0';
    this.slider.setAttribute('aria-valuetext', `${position}: ${title}${where}`);
    replaceChildren(
      this.label,
      h('span', { className: 'timeline-position', text: position }),
      h('span', { className: 'timeline-title', text: title }),
      where ? h('span', { className: 'timeline-where', text: where.slice(3) }) : null,
      snapshot ? h('span', { className: 'timeline-epoch', text: `after ${snapshot.epochsDone} epoch${snapshot.epochsDone === 1 ? '' : 's'} of the whole run` }) : null,
    );
    if (count !== this.tickCount) this.renderTicks(model);
  }

  private renderTicks(model: RunModel): void {
    this.tickCount = model.snapshots.length;
    const span = Math.max(1, this.tickCount - 1);
    replaceChildren(
      this.ticks,
      ...model.snapshots.map((snap, i) => {
        const kind = snap.changeIndex !== undefined ? (model.changeAt(snap.changeIndex)?.change.kind ?? 'change') : snap.cause;
        const tick = h('span', { className: `tick tick--${kind}` });
        tick.style.left = `${((100 * i) / span).toFixed(3)}%`;
        return tick;
      }),
    );
  }
}
