import * as assert from 'node:assert/strict';
import { buildCsp, buildPanelHtml, makeNonce } from '../../../src/extension/panel/panelHtml';

describe('extension panel HTML', () => {
  const cspSource = 'https://file+.vscode-resource.vscode-cdn.net';

  it('makes 32-character alphanumeric nonces from the random source', () => {
    const a = makeNonce((n) => new Uint8Array(n).map((_, i) => i * 7));
    const b = makeNonce((n) => new Uint8Array(n).map((_, i) => i * 7 + 1));
    assert.match(a, /^[A-Za-z0-9]{32}$/);
    assert.notEqual(a, b);
  });

  it('allows only the nonce’d script and the extension’s own styles, images and fonts', () => {
    const csp = buildCsp(cspSource, 'abc123');
    const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    assert.deepEqual(directives, {
      'default-src': "'none'",
      'script-src': "'nonce-abc123'",
      'style-src': cspSource,
      'img-src': `${cspSource} data:`,
      'font-src': cspSource,
    });
    assert.throws(() => buildCsp(cspSource, "x' 'unsafe-inline"), /nonce/);
  });

  it('loads the bundle with the nonce and escapes the title', () => {
    const html = buildPanelHtml({
      cspSource,
      nonce: 'N0nce',
      scriptUri: `${cspSource}/dist/webview.js`,
      styleUris: [`${cspSource}/media/panel.css`],
      title: 'Run <b>&</b>',
    });
    assert.match(html, /<script nonce="N0nce" src="[^"]+\/dist\/webview\.js"><\/script>/);
    assert.match(html, /<link rel="stylesheet" href="[^"]+\/media\/panel\.css">/);
    assert.match(html, /http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;nonce-N0nce&#39;/);
    assert.match(html, /<title>Run &lt;b&gt;&amp;&lt;\/b&gt;<\/title>/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
  });
});
