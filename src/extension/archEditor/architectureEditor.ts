/**
 * The `.arch.json` editor: the architecture drawn by the run panel's own code, beside the text
 * it is (a custom text editor, so saving, undo and "Reopen Editor With… Text Editor" work as
 * for any text file). It redraws whenever the document changes, saved or not, and offers
 * Compare…, Export… (when the export command is installed) and Open as Text.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseArchitectureDocument } from '../../core/arch/json';
import type { Architecture } from '../../core/arch/types';
import { parsePanelMessage, type HostMessage } from '../../protocol/panel';
import { architectureChoices, pickArchitecture } from '../panel/compareArchitectures';
import type { PanelController } from '../panel/panelController';
import { panelWebviewHtml, panelWebviewOptions } from '../panel/panelWebview';
import type { RunService } from '../runs/runService';

export const ARCHITECTURE_EDITOR_VIEW_TYPE = 'resbuilder.architecture';
/** The command another part of the product contributes to export an `.arch.json` (ONNX, PyTorch). */
export const EXPORT_COMMAND = 'resbuilder.export';
const REDRAW_DELAY_MS = 150;

type Parsed = { architecture: Architecture; error: null } | { architecture: null; error: string };

function parse(document: vscode.TextDocument): Parsed {
  try {
    return { architecture: parseArchitectureDocument(document.getText(), document.uri.fsPath), error: null };
  } catch (error) {
    return { architecture: null, error: `${error instanceof Error ? error.message : String(error)} Fix the file (Open as text) and the drawing follows.` };
  }
}

export class ArchitectureEditorProvider implements vscode.CustomTextEditorProvider {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly service: RunService,
    private readonly panels: PanelController,
  ) {}

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    panel.webview.options = panelWebviewOptions(this.context.extensionUri);
    panel.webview.html = panelWebviewHtml(panel.webview, this.context.extensionUri, path.basename(document.uri.fsPath));
    let timer: NodeJS.Timeout | null = null;
    const draw = async (): Promise<void> => {
      const parsed = parse(document);
      const canExport = (await vscode.commands.getCommands(true)).includes(EXPORT_COMMAND);
      const message: HostMessage = { type: 'architecture', label: path.basename(document.uri.fsPath), ...parsed, canExport };
      void panel.webview.postMessage(message);
    };
    const subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() !== document.uri.toString()) return;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          timer = null;
          void draw();
        }, REDRAW_DELAY_MS);
      }),
      panel.webview.onDidReceiveMessage(async (raw: unknown) => {
        let message;
        try {
          message = parsePanelMessage(raw, document.uri.fsPath);
        } catch (error) {
          this.service.output.appendLine(error instanceof Error ? error.message : String(error));
          return;
        }
        switch (message.type) {
          case 'ready':
            await draw();
            break;
          case 'compareFile':
            await this.compare(document);
            break;
          case 'exportFile':
            await vscode.commands.executeCommand(EXPORT_COMMAND, document.uri);
            break;
          case 'openText':
            await vscode.commands.executeCommand('vscode.openWith', document.uri, 'default');
            break;
          default:
            break;
        }
      }),
    ];
    panel.onDidDispose(() => {
      if (timer) clearTimeout(timer);
      for (const s of subscriptions) s.dispose();
    });
  }

  /** This file on the left, an architecture the user picks on the right, in the one compare view. */
  private async compare(document: vscode.TextDocument): Promise<void> {
    const parsed = parse(document);
    if (!parsed.architecture) {
      void vscode.window.showWarningMessage(`Cannot compare ${path.basename(document.uri.fsPath)}: ${parsed.error}`);
      return;
    }
    await this.service.refresh();
    const own = path.resolve(document.uri.fsPath);
    const choices = (await architectureChoices(this.service.runRecords)).filter((c) => c.file === undefined || path.resolve(c.file) !== own);
    const picked = await pickArchitecture(choices, `Compare ${path.basename(own)} with…`);
    if (!picked) return;
    try {
      this.panels.showCompare({ label: path.basename(own), architecture: parsed.architecture }, await picked.load());
    } catch (error) {
      void vscode.window.showWarningMessage(`Cannot compare: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Registers the `.arch.json` editor (package.json `customEditors`). */
export function registerArchitectureEditor(context: vscode.ExtensionContext, service: RunService, panels: PanelController): void {
  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(ARCHITECTURE_EDITOR_VIEW_TYPE, new ArchitectureEditorProvider(context, service, panels)),
  );
}

/** Opens an `.arch.json` drawn, in the architecture editor. */
export async function openArchitectureEditor(file: string): Promise<void> {
  await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), ARCHITECTURE_EDITOR_VIEW_TYPE);
}
