/**
 * One architecture on its own, as the `.arch.json` editor shows it: its totals, the stack drawn
 * by the run panel's own stack view, and the file's actions (compare, export, open as text).
 * There is no run here, so no run header, timeline or curves.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import { countFlops, countParams } from '../src/core/arch/cost';
import type { Architecture } from '../src/core/arch/types';
import type { PanelMessage } from '../src/protocol/panel';
import { h, replaceChildren } from './dom';
import { formatCount, formatFlops } from '../src/core/format';
import { actionButton } from './action-button';
import type { IconName } from './icons';
import { layoutStack } from './stack-layout';
import { attachStackKeyboard, renderStack } from './stack-view';

type FileAction = Extract<PanelMessage['type'], 'compareFile' | 'exportFile' | 'openText'>;

export class ArchitectureView {
  readonly element: HTMLElement;
  private readonly title = h('h1', { className: 'run-title', text: 'Architecture' });
  private readonly totals = h('p', { className: 'arch-totals', attrs: { role: 'status' } });
  private readonly message = h('p', { className: 'run-message run-message--error', attrs: { hidden: true } });
  private readonly stack = h('div', { className: 'stack', attrs: { role: 'region', 'aria-label': 'Residual stack', tabindex: -1 } });
  private readonly exportButton: VscodeButton;

  constructor(onAction: (action: FileAction) => void) {
    const button = (action: FileAction, label: string, iconName: IconName, secondary: boolean): VscodeButton => actionButton(action, label, iconName, secondary, onAction);
    this.exportButton = button('exportFile', 'Export…', 'next', true);
    attachStackKeyboard(this.stack);
    this.element = h('section', {
      className: 'arch-view',
      attrs: { hidden: true, 'aria-labelledby': 'arch-title' },
      children: [
        h('header', {
          className: 'run-header',
          children: [
            h('div', {
              className: 'run-heading',
              children: [
                h('div', { className: 'run-title-line', children: [this.title] }),
                h('div', {
                  className: 'run-actions',
                  attrs: { role: 'toolbar', 'aria-label': 'Architecture actions' },
                  children: [button('compareFile', 'Compare…', 'compare', false), this.exportButton, button('openText', 'Open as text', 'file', true)],
                }),
              ],
            }),
            this.totals,
            this.message,
          ],
        }),
        this.stack,
      ],
    });
    this.title.id = 'arch-title';
  }

  show(label: string, architecture: Architecture | null, error: string | null, canExport: boolean): void {
    this.element.hidden = false;
    this.title.textContent = label;
    this.exportButton.hidden = !canExport;
    this.message.hidden = error === null;
    this.message.textContent = error ?? '';
    if (!architecture) {
      this.totals.textContent = '';
      replaceChildren(this.stack);
      return;
    }
    try {
      const blocks = architecture.skips.length;
      this.totals.textContent = `${architecture.layers.length} layers · ${blocks} block${blocks === 1 ? '' : 's'} · ${formatCount(countParams(architecture))} parameters · ${formatFlops(countFlops(architecture))} · ${architecture.blockStyle} blocks`;
      renderStack(this.stack, layoutStack(architecture), `Residual stack of ${label}: ${blocks} block${blocks === 1 ? '' : 's'}`);
    } catch (error) {
      replaceChildren(this.stack, h('p', { className: 'run-message run-message--error', text: `This architecture cannot be drawn: ${(error as Error).message}` }));
    }
  }
}
