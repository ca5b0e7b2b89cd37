/** A toolbar button of the panel: a `vscode-button` with an icon, named for screen readers. */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import { icon, type IconName } from './icons';

export function actionButton<A extends string>(action: A, label: string, iconName: IconName, secondary: boolean, onAction: (action: A) => void): VscodeButton {
  const b = document.createElement('vscode-button') as VscodeButton;
  b.secondary = secondary;
  b.dataset.action = action;
  b.setAttribute('aria-label', label);
  const glyph = icon(iconName, 'icon button-icon');
  glyph.setAttribute('slot', 'content-before');
  b.append(glyph, label);
  b.addEventListener('click', () => {
    if (!b.disabled) onAction(action);
  });
  return b;
}
