/**
 * Config problems in the Problems panel, at their exact place, updated while the user types.
 * Parsing and the path checks are the core config's job; this only maps their diagnostics onto
 * the editor.
 */
import * as vscode from 'vscode';
import { describeDiagnostic, type ConfigDiagnostic } from '../../core/config/diagnostics';
import { validateConfigText } from '../../core/config/load';
import type { ParsedConfig } from '../../core/config/parse';
import { isConfigPath } from '../runs/runPaths';

const DEBOUNCE_MS = 300;

export function isConfigDocument(document: vscode.TextDocument): boolean {
  return document.uri.scheme === 'file' && isConfigPath(document.uri.fsPath);
}

export function toVscodeDiagnostic(d: ConfigDiagnostic): vscode.Diagnostic {
  const range = new vscode.Range(d.range.start.line, d.range.start.column, d.range.end.line, d.range.end.column);
  const severity = d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning;
  const diagnostic = new vscode.Diagnostic(range, describeDiagnostic(d), severity);
  diagnostic.source = 'resbuilder';
  return diagnostic;
}

export class ConfigDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('resbuilder');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [this.collection];

  constructor() {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.check(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.cancel(d.uri);
        this.collection.delete(d.uri);
      }),
    );
    for (const document of vscode.workspace.textDocuments) this.check(document);
  }

  /** Parses now and updates the Problems panel; returns the parse result for the caller. */
  check(document: vscode.TextDocument): ParsedConfig | undefined {
    if (!isConfigDocument(document)) return undefined;
    this.cancel(document.uri);
    const parsed = validateConfigText(document.getText(), document.uri.fsPath);
    this.collection.set(document.uri, parsed.diagnostics.map(toVscodeDiagnostic));
    return parsed;
  }

  private schedule(document: vscode.TextDocument): void {
    if (!isConfigDocument(document)) return;
    this.cancel(document.uri);
    this.timers.set(
      document.uri.toString(),
      setTimeout(() => this.check(document), DEBOUNCE_MS),
    );
  }

  private cancel(uri: vscode.Uri): void {
    const key = uri.toString();
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
  }
}
