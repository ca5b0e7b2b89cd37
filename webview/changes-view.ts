/**
 * What the shown snapshot changed and why (the reason text from its 'structural-change' event
 * and a list of the blocks and widths that differ from the snapshot before), plus the log of
 * every structural decision of the run, including skipped insertions and deletions.
 */
import type { StructuralChange } from '../src/protocol/events';
import type { ArchitectureDiff } from './compare';
import { h, replaceChildren } from './dom';
import { formatFlops, formatParams } from '../src/core/format';
import { icon, type IconName } from './icons';
import type { ChangeRecord, RunModel, Snapshot } from './run-model';
import { changeVerb, snapshotTitle } from './timeline-view';

const KIND_ICON: Record<StructuralChange['kind'], IconName> = {
  insert: 'insert',
  delete: 'remove',
  resize: 'resize',
  'insert-skipped': 'skip',
  'delete-skipped': 'skip',
};

export function diffItems(diff: ArchitectureDiff): HTMLElement[] {
  const items: HTMLElement[] = [];
  const item = (kind: string, text: string): HTMLElement => h('li', { className: `diff-item diff-item--${kind}`, attrs: { 'data-kind': kind }, text });
  for (const b of diff.addedBlocks) items.push(item('added', `+ block ${b.id} (${b.widths.length} convs, ${[...new Set(b.widths)].join('/')} ch)`));
  for (const b of diff.removedBlocks) items.push(item('removed', `− block ${b.id} (${b.widths.length} convs, ${[...new Set(b.widths)].join('/')} ch)`));
  for (const l of diff.addedLayers.filter((l) => l.blockId === undefined || !diff.addedBlocks.some((b) => b.id === l.blockId))) {
    items.push(item('added', `+ ${l.kind} ${l.id}${l.width !== undefined ? ` (${l.width})` : ''}`));
  }
  for (const l of diff.removedLayers.filter((l) => l.blockId === undefined || !diff.removedBlocks.some((b) => b.id === l.blockId))) {
    items.push(item('removed', `− ${l.kind} ${l.id}${l.width !== undefined ? ` (${l.width})` : ''}`));
  }
  for (const r of diff.resizedLayers) items.push(item('resized', `${r.id}: ${r.from} → ${r.to}`));
  for (const c of diff.changedLayers) items.push(item('changed', `${c.id}: ${c.description}`));
  for (const n of diff.notes) items.push(item('changed', n));
  return items;
}

function snapshotSummary(snapshot: Snapshot): string {
  const blocks = snapshot.architecture.skips.length;
  return `${blocks} block${blocks === 1 ? '' : 's'} · depth ${snapshot.depth} · ${formatParams(snapshot.params)} · ${formatFlops(snapshot.flops)}`;
}

export class ChangesView {
  /** The log of decisions. */
  readonly element: HTMLElement;
  /** The card about the shown snapshot; placed by the panel above the stack. */
  readonly detail = h('div', { className: 'change-detail' });
  private readonly log = h('ol', { className: 'change-log', attrs: { 'aria-label': 'All structural decisions' } });
  private readonly logCount = h('span', { className: 'section-count' });
  private renderedChanges = 0;
  private shownIndex = -1;

  constructor(private readonly onSelect: (snapshotIndex: number) => void) {
    this.element = h('details', {
      className: 'change-log-box',
      attrs: { open: true },
      children: [h('summary', { className: 'panel-subtitle', children: [h('span', { text: 'Decisions' }), this.logCount] }), this.log],
    });
  }

  reset(): void {
    this.renderedChanges = 0;
    this.shownIndex = -1;
    replaceChildren(this.log);
    replaceChildren(this.detail);
  }

  render(model: RunModel, index: number, diff: ArchitectureDiff | undefined): void {
    this.renderDetail(model, model.snapshots[index], diff);
    this.renderLog(model, index);
  }

  private renderDetail(model: RunModel, snapshot: Snapshot | undefined, diff: ArchitectureDiff | undefined): void {
    if (!snapshot) {
      replaceChildren(this.detail, h('p', { className: 'muted', text: 'Waiting for the run’s first architecture…' }));
      return;
    }
    const change = snapshot.changeIndex !== undefined ? model.changeAt(snapshot.changeIndex) : undefined;
    const kind = change?.change.kind;
    const items = diff ? diffItems(diff) : [];
    replaceChildren(
      this.detail,
      h('div', {
        className: `change-card${kind ? ` change-card--${kind}` : ''}`,
        children: [
          h('div', {
            className: 'change-card-title',
            children: [
              kind ? icon(KIND_ICON[kind], `icon kind-icon kind-icon--${kind}`) : null,
              h('span', { text: snapshotTitle(snapshot, change) }),
              change ? h('span', { className: 'muted', text: `change ${change.index + 1} · cycle ${change.cycle}, step ${change.step}` }) : null,
            ],
          }),
          change ? h('p', { className: 'change-reason', text: change.change.reason }) : h('p', { className: 'change-reason muted', text: snapshotSummary(snapshot) }),
          items.length ? h('ul', { className: 'diff-list', attrs: { 'aria-label': 'What changed' }, children: items }) : null,
        ],
      }),
    );
  }

  private renderLog(model: RunModel, index: number): void {
    // Entries are appended as decisions arrive; earlier ones never change.
    const added = model.changes.length > this.renderedChanges;
    for (let i = this.renderedChanges; i < model.changes.length; i++) this.log.append(this.entry(model.changes[i]));
    this.renderedChanges = model.changes.length;
    this.logCount.textContent = String(model.changes.length);
    // Snapshot indices of entries are known only once the snapshot arrived; refresh the tail.
    const entries = this.log.children;
    for (let i = Math.max(0, entries.length - 3); i < entries.length; i++) this.bind(entries[i] as HTMLElement, model.changes[i]);
    if (this.shownIndex !== index) {
      this.shownIndex = index;
      for (const el of this.log.querySelectorAll('.log-entry--current')) el.classList.remove('log-entry--current');
      const current = this.log.querySelector<HTMLElement>(`[data-snapshot="${index}"]`);
      if (current) current.classList.add('log-entry--current');
      // At the newest snapshot the newest decisions matter most.
      const target = current ?? (index === model.snapshots.length - 1 ? (this.log.lastElementChild as HTMLElement | null) : null);
      // Next frame, when layout is clean again; only the log scrolls, never the page.
      if (target) requestAnimationFrame(() => this.reveal(target));
    } else if (added && index === model.snapshots.length - 1 && this.log.lastElementChild) {
      const last = this.log.lastElementChild as HTMLElement;
      requestAnimationFrame(() => this.reveal(last));
    }
  }

  private reveal(entry: HTMLElement): void {
    const log = this.log;
    const top = entry.offsetTop;
    const bottom = top + entry.offsetHeight;
    if (top < log.scrollTop) log.scrollTop = top;
    else if (bottom > log.scrollTop + log.clientHeight) log.scrollTop = bottom - log.clientHeight;
  }

  private entry(record: ChangeRecord): HTMLElement {
    const kind = record.change.kind;
    const li = h('li', {
      className: `log-entry log-entry--${kind}`,
      attrs: { 'data-change': record.index },
      children: [
        icon(KIND_ICON[kind], `icon kind-icon kind-icon--${kind}`),
        h('span', { className: 'log-title', text: changeVerb(record) }),
        h('span', { className: 'log-where', text: `c${record.cycle}·s${record.step} · ep ${record.epochsDone}` }),
        h('span', { className: 'log-reason', text: record.change.reason }),
      ],
    });
    li.addEventListener('click', () => {
      const snap = li.dataset.snapshot;
      if (snap !== undefined) this.onSelect(Number(snap));
    });
    li.addEventListener('keydown', (event) => {
      if ((event.key === 'Enter' || event.key === ' ') && li.dataset.snapshot !== undefined) {
        event.preventDefault();
        this.onSelect(Number(li.dataset.snapshot));
      }
    });
    this.bind(li, record);
    return li;
  }

  private bind(li: HTMLElement, record: ChangeRecord): void {
    if (record.snapshotIndex === undefined || li.dataset.snapshot !== undefined) return;
    li.dataset.snapshot = String(record.snapshotIndex);
    li.tabIndex = 0;
    li.setAttribute('role', 'button');
    li.setAttribute('aria-label', `${changeVerb(record)}, cycle ${record.cycle} step ${record.step}: ${record.change.reason}. Show this architecture.`);
  }
}
