/** What every ResBuilder webview shares: its options (scripts on, only the extension's files) and its HTML shell. */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { buildPanelHtml, makeNonce } from './panelHtml';

export function panelWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/** The page that loads the panel bundle (dist/webview.js); it posts `ready` once loaded. */
export function panelWebviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  return buildPanelHtml({
    cspSource: webview.cspSource,
    nonce: makeNonce((n) => randomBytes(n)),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
    styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css')).toString()],
    title,
  });
}
