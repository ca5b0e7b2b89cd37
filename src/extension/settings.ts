/** The extension's settings (`resbuilder.*`), read fresh on every use so changes apply at once. */
import * as vscode from 'vscode';
import type { RunManagerSettings } from './runs/runManager';

export interface ExtensionSettings extends RunManagerSettings {
  runsFolder: string;
  /** A folder holding @tensorflow/tfjs-node(-gpu), looked in first (docs/gpu.md). */
  backendModulesPath: string;
  /** A panel of its own for every run instead of one per config. */
  panelPerRun: boolean;
}

export function readSettings(): ExtensionSettings {
  const c = vscode.workspace.getConfiguration('resbuilder');
  return {
    nodePath: c.get<string>('nodePath', ''),
    defaultBackend: c.get<string>('defaultBackend', 'auto'),
    runsFolder: c.get<string>('runsFolder', ''),
    backendModulesPath: c.get<string>('backendModulesPath', ''),
    panelPerRun: c.get<boolean>('panelPerRun', false),
    maxConcurrentRuns: Math.max(1, c.get<number>('maxConcurrentRuns', 1)),
    stopTimeoutMs: Math.max(1, c.get<number>('stopTimeoutSeconds', 30)) * 1000,
  };
}
