/**
 * Draws the residual stack: one row per layer with a bar as wide as its channel count (and the
 * number beside it), blocks as brackets around their convs, sections for stem, stages and head.
 * Rows changed by the shown structural change carry a status class (added, removed, resized).
 * Keyboard: the stack is one tab stop; arrow keys, Home and End move between rows.
 */
import type { Layer } from '../src/core/arch/types';
import { h, replaceChildren } from './dom';
import { shape as formatShape } from './format';
import type { RowStatus } from './compare';
import type { StackBlock, StackItem, StackLayer, StackModel, StackSection } from './stack-layout';

const STATUS_WORD: Record<RowStatus, string> = { same: '', added: 'new', removed: 'removed', resized: 'resized' };

function operation(layer: Layer): string {
  switch (layer.kind) {
    case 'conv':
      return `${layer.kernel}×${layer.kernel}${layer.stride > 1 ? `/${layer.stride}` : ''} conv`;
    case 'pool':
      return `${layer.pool} pool ${layer.size}×${layer.size}/${layer.stride}`;
    case 'dense':
      return 'dense';
  }
}

function widthText(row: StackLayer): string {
  if (row.width === undefined) return '';
  return row.fromWidth !== undefined ? `${row.fromWidth} → ${row.width}` : String(row.width);
}

export function describeLayer(row: StackLayer): string {
  const layer = row.layer;
  const parts = [`${layer.kind === 'conv' ? 'Conv' : layer.kind === 'pool' ? 'Pool' : 'Dense'} ${layer.id}: ${operation(layer)}`];
  if (layer.kind === 'conv') parts.push(row.fromWidth !== undefined ? `${row.fromWidth} to ${row.width} channels` : `${row.width} channels`);
  if (layer.kind === 'dense') parts.push(row.fromWidth !== undefined ? `${row.fromWidth} to ${row.width} units` : `${row.width} units`);
  parts.push(`output ${formatShape(row.outShape)}`);
  if (row.status === 'added') parts.push('added by this change');
  if (row.status === 'removed') parts.push('removed by this change');
  return parts.join(', ');
}

/** "Block r007: 2 convs, 32 channels" (the label screen readers announce). */
export function describeBlock(block: StackBlock): string {
  const convs = block.layers.filter((l) => l.layer.kind === 'conv');
  const widths = [...new Set(convs.map((l) => l.width))];
  let text = `Block ${block.id}: ${convs.length} conv${convs.length === 1 ? '' : 's'}, ${widths.join('/')} channels`;
  if (block.status === 'added') text += ', inserted by this change';
  if (block.status === 'removed') text += ', deleted by this change';
  if (block.status === 'resized') {
    const resized = convs.filter((l) => l.fromWidth !== undefined).map((l) => `${l.layer.id} ${l.fromWidth} to ${l.width}`);
    if (resized.length) text += `, resized: ${resized.join(', ')}`;
  }
  return text;
}

function bar(row: StackLayer, model: StackModel): HTMLElement {
  const track = h('div', { className: 'bar-track' });
  if (row.width === undefined) {
    track.append(h('div', { className: 'bar bar--pool' }));
    return track;
  }
  const scale = row.layer.kind === 'dense' ? model.maxDenseUnits : model.maxConvWidth;
  const fraction = (value: number): string => `${Math.max(2, (100 * value) / scale).toFixed(2)}%`;
  if (row.fromWidth !== undefined) {
    const old = h('div', { className: 'bar bar--old' });
    old.style.width = fraction(row.fromWidth);
    track.append(old);
  }
  const current = h('div', { className: `bar bar--${row.layer.kind}` });
  current.style.width = fraction(row.width);
  track.append(current);
  return track;
}

function layerRow(row: StackLayer, model: StackModel, inBlock = false): HTMLElement {
  // Inside a block the block's label carries the badge; the row shows old → new itself.
  const status = inBlock ? '' : STATUS_WORD[row.status];
  const el = h('li', {
    className: `row row--${row.layer.kind} row--${row.status}`,
    attrs: { 'aria-label': describeLayer(row), tabindex: -1, 'data-layer-id': row.layer.id, 'data-status': row.status },
    children: [
      h('span', {
        className: 'row-name',
        children: [
          h('span', { className: 'row-op', text: operation(row.layer) }),
          h('span', {
            className: 'row-sub',
            children: [h('span', { className: 'row-id', text: row.layer.id }), status ? h('span', { className: `badge badge--${row.status}`, text: status, attrs: { 'aria-hidden': 'true' } }) : null],
          }),
        ],
      }),
      bar(row, model),
      h('span', {
        className: 'row-value',
        children: [
          h('span', { className: 'row-width', text: widthText(row), attrs: { 'data-width': row.width } }),
          h('span', { className: 'row-shape', text: formatShape(row.outShape.slice(0, 2)) }),
        ],
      }),
    ],
  });
  return el;
}

function blockItem(block: StackBlock, model: StackModel): HTMLElement {
  const status = STATUS_WORD[block.status];
  const label = h('div', {
    className: 'block-label',
    attrs: { 'aria-hidden': 'true' },
    children: [
      h('span', { className: 'block-id', text: block.id }),
      h('span', { className: 'block-skip', text: block.shortcut ? `skip · ${block.shortcut}` : 'skip' }),
      status ? h('span', { className: `badge badge--${block.status}`, text: status }) : null,
    ],
  });
  const rows = h('ol', { className: 'block-rows', attrs: { role: 'list' }, children: block.layers.map((l) => layerRow(l, model, true)) });
  return h('li', {
    className: `block block--${block.status}`,
    attrs: { 'aria-label': describeBlock(block), tabindex: -1, 'data-block-id': block.id, 'data-status': block.status },
    children: [label, rows, h('div', { className: 'block-add', attrs: { 'aria-hidden': 'true' }, text: '⊕' })],
  });
}

function item(it: StackItem, model: StackModel): HTMLElement {
  return it.kind === 'block' ? blockItem(it, model) : layerRow(it, model);
}

function virtualRow(op: string, id: string, value: string, shapeText: string, extraClass: string): HTMLElement {
  return h('li', {
    className: `row row--virtual ${extraClass}`,
    attrs: { tabindex: -1, 'aria-label': `${op}${value ? `, ${value}` : ''}, output ${shapeText}` },
    children: [
      h('span', { className: 'row-name', children: [h('span', { className: 'row-op', text: op }), h('span', { className: 'row-id', text: id })] }),
      h('div', { className: 'bar-track', children: [h('div', { className: 'bar bar--pool' })] }),
      h('span', { className: 'row-value', children: [h('span', { className: 'row-width', text: value }), h('span', { className: 'row-shape', text: shapeText })] }),
    ],
  });
}

function section(sec: StackSection, model: StackModel): HTMLElement {
  const list = h('ol', { className: 'section-items', attrs: { role: 'list' } });
  for (const it of sec.items) {
    if (sec.kind === 'head' && it.kind === 'layer' && it.poolsGlobally) list.append(virtualRow('global avg pool', '', '', '1×1', 'row--gap'));
    list.append(item(it, model));
  }
  if (sec.kind === 'head') {
    if (!sec.items.some((it) => it.kind === 'layer' && it.poolsGlobally)) list.append(virtualRow('global avg pool', '', '', '1×1', 'row--gap'));
    list.append(virtualRow('softmax', 'classifier', String(model.numClasses), '1×1', 'row--softmax'));
  }
  if (sec.kind === 'stage' && sec.items.length === 0) list.append(h('li', { className: 'row row--empty', text: 'no blocks' }));
  const blocks = sec.blocks;
  const title = `${sec.title}${sec.resolution ? ` · ${sec.resolution}` : ''}`;
  return h('section', {
    className: `stack-section stack-section--${sec.kind}`,
    attrs: { 'aria-label': `${title}${sec.kind === 'stage' ? `, ${blocks} block${blocks === 1 ? '' : 's'}` : ''}` },
    children: [
      h('h3', {
        className: 'section-title',
        children: [h('span', { text: sec.title }), sec.resolution ? h('span', { className: 'section-res', text: sec.resolution }) : null, sec.kind === 'stage' ? h('span', { className: 'section-count', text: `${blocks} block${blocks === 1 ? '' : 's'}` }) : null],
      }),
      list,
    ],
  });
}

/** Rebuilds the stack inside `container` (a few dozen rows: cheaper than diffing). */
export function renderStack(container: HTMLElement, model: StackModel, label: string): void {
  const focusedKey = focusKey(container);
  const input = h('ol', {
    className: 'section-items',
    attrs: { role: 'list' },
    children: [virtualRow('input', '', '', formatShape(model.input), 'row--input')],
  });
  const stack = h('div', {
    className: 'stack-body',
    children: [h('section', { className: 'stack-section stack-section--input', attrs: { 'aria-label': 'Input' }, children: [input] }), ...model.sections.map((sec) => section(sec, model))],
  });
  container.setAttribute('aria-label', label);
  replaceChildren(container, stack);
  const items = focusables(container);
  const restore = items.find((el) => key(el) === focusedKey) ?? items.find((el) => el.dataset.status !== 'same' && el.dataset.status !== undefined) ?? items[0];
  if (restore) {
    restore.tabIndex = 0;
    if (focusedKey !== undefined && document.activeElement === document.body) restore.focus({ preventScroll: true });
  }
}

function focusables(container: HTMLElement): HTMLElement[] {
  return [...container.querySelectorAll<HTMLElement>('li[tabindex]')];
}

function key(el: HTMLElement): string {
  return el.dataset.blockId ? `b:${el.dataset.blockId}` : el.dataset.layerId ? `l:${el.dataset.layerId}` : `t:${el.getAttribute('aria-label') ?? ''}`;
}

function focusKey(container: HTMLElement): string | undefined {
  const active = document.activeElement;
  return active instanceof HTMLElement && container.contains(active) ? key(active) : undefined;
}

/** Roving focus over the stack's rows and blocks. */
export function attachStackKeyboard(container: HTMLElement): void {
  container.addEventListener('keydown', (event) => {
    const items = focusables(container);
    const current = items.indexOf(document.activeElement as HTMLElement);
    let next = -1;
    if (event.key === 'ArrowDown' || event.key === 'ArrowRight') next = Math.min(items.length - 1, current + 1);
    else if (event.key === 'ArrowUp' || event.key === 'ArrowLeft') next = Math.max(0, current - 1);
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = items.length - 1;
    else return;
    event.preventDefault();
    event.stopPropagation();
    if (next < 0 || !items[next]) return;
    for (const el of items) el.tabIndex = -1;
    items[next].tabIndex = 0;
    items[next].focus();
  });
  container.addEventListener('focusin', (event) => {
    const target = event.target as HTMLElement;
    if (!target.matches('li[tabindex]')) return;
    for (const el of focusables(container)) el.tabIndex = el === target ? 0 : -1;
  });
}
