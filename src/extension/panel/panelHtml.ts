/**
 * The panel's HTML shell. Everything the page may load is pinned by the Content Security Policy:
 * only the nonce'd bundle runs, and styles, images and fonts come only from the extension's own
 * resource roots.
 */

export interface PanelHtmlInput {
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUris: readonly string[];
  title: string;
}

/** 32 characters from [A-Za-z0-9]; `randomBytes` is injectable so tests can pin it. */
export function makeNonce(randomBytes: (n: number) => Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(32);
  let nonce = '';
  for (const b of bytes) nonce += alphabet[b % alphabet.length];
  return nonce;
}

export function buildCsp(cspSource: string, nonce: string): string {
  if (!/^[A-Za-z0-9+/=]+$/.test(nonce)) throw new Error('The CSP nonce must be base64-like characters only.');
  return [
    `default-src 'none'`,
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function buildPanelHtml(input: PanelHtmlInput): string {
  const csp = buildCsp(input.cspSource, input.nonce);
  const styles = input.styleUris.map((u) => `  <link rel="stylesheet" href="${escapeHtml(u)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
  <title>${escapeHtml(input.title)}</title>
</head>
<body>
  <div id="resbuilder-panel" class="resbuilder-panel"></div>
  <script nonce="${input.nonce}" src="${escapeHtml(input.scriptUri)}"></script>
</body>
</html>
`;
}
