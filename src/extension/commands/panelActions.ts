/** What the run panel's buttons do: stop, resume, open the architecture, compare with the committed one. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { architectureOfRun, committedArchitecture, committedArchPathOf } from '../panel/compareArchitectures';
import type { PanelController } from '../panel/panelController';
import type { RunService } from '../runs/runService';
import { openArchitecture } from './architectureCommands';

export function connectPanelActions(service: RunService, panels: PanelController): void {
  panels.actions = {
    stop: (runDir) => {
      const run = service.liveRun(runDir);
      if (run) service.stop(run);
      // Not started here: the panel follows a trainer elsewhere (docs/cluster.md, "From VS Code: Remote-SSH to a login node"), stopped through its scheduler.
      else void vscode.commands.executeCommand('resbuilder.cancelFollowedRun', runDir);
    },
    // The panel opens by itself when the resumed trainer announces the run.
    resume: async (runDir) => {
      await service.resume(runDir);
    },
    openArchitecture: (runDir) => openArchitecture(service, runDir),
    compareWithCommitted: async (runDir) => {
      const record = service.runRecords.find((r) => r.runDir === runDir);
      const summary = service.summaryOf(runDir);
      if (!summary) return;
      const archPath = committedArchPathOf({ summary });
      if (!archPath) {
        void vscode.window.showWarningMessage('This run does not name its config, so its committed architecture is unknown.');
        return;
      }
      try {
        const left = await committedArchitecture(archPath);
        const right = await architectureOfRun({ runDir, runId: record?.runId ?? summary.runId ?? path.basename(runDir), summary });
        panels.showCompare(left, right);
      } catch (error) {
        void vscode.window.showWarningMessage(`Cannot compare: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
}
