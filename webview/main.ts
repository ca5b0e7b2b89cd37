/**
 * Entry of the run panel bundle (dist/webview.js). Works inside a VS Code webview and in a
 * plain page: the host adapter picks the transport, the panel tells the host it is ready, and
 * the host answers with the run's events.
 */
import { createHost } from './host';
import { Panel } from './panel';

function start(): void {
  const root = document.getElementById('resbuilder-panel') ?? document.body.appendChild(document.createElement('div'));
  root.id = 'resbuilder-panel';
  root.classList.add('resbuilder-panel');
  const host = createHost(window);
  const panel = new Panel(root, host);
  host.onMessage((data) => panel.handle(data));
  host.post({ type: 'ready' });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
