/**
 * Two architectures side by side (e.g. the committed `.arch.json` and this run's result) with
 * the list of differences: blocks added and removed, layers resized, matched by id.
 */
import type { ComparedArchitecture } from '../src/protocol/panel';
import { diffArchitectures, summarizeDiff } from './compare';
import { diffItems } from './changes-view';
import { h, replaceChildren } from './dom';
import { icon } from './icons';
import { layoutSide } from './stack-layout';
import { renderStack, attachStackKeyboard } from './stack-view';

export class CompareView {
  readonly element: HTMLElement;
  private readonly body = h('div', { className: 'compare-body' });
  private readonly heading = h('h2', { className: 'panel-subtitle', attrs: { id: 'compare-heading' }, text: 'Compare architectures' });
  private readonly closeButton: HTMLButtonElement;

  constructor(onClose: () => void) {
    this.closeButton = h('button', { className: 'icon-button', attrs: { type: 'button', 'aria-label': 'Close comparison', title: 'Close comparison (Escape)' }, children: [icon('close')] });
    this.closeButton.addEventListener('click', onClose);
    this.element = h('section', {
      className: 'compare',
      attrs: { 'aria-labelledby': 'compare-heading', hidden: true },
      children: [h('div', { className: 'compare-header', children: [this.heading, this.closeButton] }), this.body],
    });
    this.element.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !this.closeButton.hidden) onClose();
    });
  }

  show(left: ComparedArchitecture, right: ComparedArchitecture, options: { closable?: boolean } = {}): void {
    this.closeButton.hidden = options.closable === false;
    const diff = diffArchitectures(left.architecture, right.architecture);
    const items = diffItems(diff);
    const column = (side: ComparedArchitecture, other: ComparedArchitecture, which: 'left' | 'right'): HTMLElement => {
      const stack = h('div', { className: 'stack', attrs: { role: 'region' } });
      attachStackKeyboard(stack);
      try {
        const model = layoutSide(side.architecture, other.architecture, which);
        renderStack(stack, model, `${side.label}: ${model.blockCount} blocks`);
      } catch (error) {
        stack.append(h('p', { className: 'run-message run-message--error', text: `Cannot draw ${side.label}: ${(error as Error).message}` }));
      }
      return h('div', {
        className: `compare-column compare-column--${which}`,
        attrs: { 'data-side': which },
        children: [h('h3', { className: 'compare-label', text: side.label }), stack],
      });
    };
    this.heading.textContent = `Compare: ${left.label} → ${right.label}`;
    replaceChildren(
      this.body,
      h('p', { className: 'compare-summary', attrs: { role: 'status' }, text: summarizeDiff(diff) }),
      items.length ? h('ul', { className: 'diff-list compare-diff', attrs: { 'aria-label': 'Differences' }, children: items }) : null,
      h('div', { className: 'compare-columns', children: [column(left, right, 'left'), column(right, left, 'right')] }),
    );
    this.element.hidden = false;
    if (!this.closeButton.hidden) this.closeButton.focus({ preventScroll: true });
  }

  hide(): void {
    this.element.hidden = true;
  }

  get visible(): boolean {
    return !this.element.hidden;
  }
}
