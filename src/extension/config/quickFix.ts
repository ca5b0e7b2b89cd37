/**
 * Quick fixes (Ctrl+.) for config problems that come with a "did you mean": replace the
 * misspelt key or value with the suggestion.
 */
import * as vscode from 'vscode';
import { suggestionInMessage } from '../../core/config/diagnostics';

export class SuggestionQuickFixes implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== 'resbuilder') continue;
      const suggestion = suggestionInMessage(diagnostic.message);
      // A dotted suggestion names a key of another section: moving it is the user's call.
      if (!suggestion || suggestion.includes('.') || diagnostic.range.isEmpty) continue;
      const current = document.getText(diagnostic.range);
      const quote = /^["']/.exec(current)?.[0] ?? '';
      const action = new vscode.CodeAction(`Change to "${suggestion}"`, vscode.CodeActionKind.QuickFix);
      action.edit = new vscode.WorkspaceEdit();
      action.edit.replace(document.uri, diagnostic.range, `${quote}${suggestion}${quote}`);
      action.diagnostics = [diagnostic];
      action.isPreferred = true;
      actions.push(action);
    }
    return actions;
  }
}

export function registerConfigQuickFixes(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.languages.registerCodeActionsProvider({ scheme: 'file', pattern: '**/*.resbuilder.yaml' }, new SuggestionQuickFixes(), {
      providedCodeActionKinds: SuggestionQuickFixes.kinds,
    }),
  );
}
