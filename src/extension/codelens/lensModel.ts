/**
 * Which CodeLens actions a config file shows, and where: computed from the document text and
 * the state of the config's runs, so the provider is a thin adapter and this is testable.
 */

/** What the editor knows about the runs of one config. */
export interface ConfigRunStatus {
  /** The run of this config the run manager is handling now, if any. */
  active: { phase: 'queued' | 'starting' | 'running' | 'stopping'; detail: string | null } | null;
  /** The most recent run on disk or in memory that has ended. */
  last: { runDir: string; state: 'finished' | 'failed' | 'stopped' | 'interrupted'; resumable: boolean; archExists: boolean } | null;
}

export type LensAction = 'run' | 'stop' | 'showPanel' | 'openLastRun' | 'openArchitecture' | 'resume' | 'status';

export interface LensSpec {
  line: number;
  title: string;
  action: LensAction;
  tooltip: string;
}

/** `mode:` at the top level of the YAML (train or search); null when absent or unreadable. */
export function readMode(text: string): 'train' | 'search' | null {
  const match = /^mode[ \t]*:[ \t]*["']?(train|search)["']?[ \t]*(#.*)?$/m.exec(text);
  return match ? (match[1] as 'train' | 'search') : null;
}

/** The line the lenses sit on: the first line that is not blank, a comment or a document marker. */
export function lensLine(text: string): number {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (t === '' || t.startsWith('#') || t === '---' || t.startsWith('%')) continue;
    return i;
  }
  return 0;
}

export function computeLenses(text: string, status: ConfigRunStatus): LensSpec[] {
  const line = lensLine(text);
  const lens = (title: string, action: LensAction, tooltip: string): LensSpec => ({ line, title, action, tooltip });
  const lenses: LensSpec[] = [];
  const active = status.active;
  if (active) {
    if (active.phase === 'queued') {
      lenses.push(lens('$(clock) Queued', 'status', 'Waits for a free run slot (resbuilder.maxConcurrentRuns)'));
      lenses.push(lens('$(close) Cancel', 'stop', 'Remove this run from the queue'));
      return lenses;
    }
    if (active.phase === 'stopping') {
      lenses.push(lens('$(loading~spin) Stopping…', 'status', 'The trainer is writing a checkpoint before it exits'));
    } else {
      const label = active.detail ? `$(sync~spin) ${active.detail}` : '$(sync~spin) Starting…';
      lenses.push(lens(label, 'status', 'The run in progress'));
      lenses.push(lens('$(debug-stop) Stop', 'stop', 'Stop the run after writing a checkpoint; it can be resumed'));
    }
    lenses.push(lens('$(graph) Show panel', 'showPanel', 'Show the run in the ResBuilder panel'));
    return lenses;
  }
  const mode = readMode(text) ?? 'search';
  lenses.push(
    mode === 'train'
      ? lens('$(play) Run training', 'run', 'Train the configured network')
      : lens('$(play) Run search', 'run', 'Run the ResBuilder architecture search'),
  );
  const last = status.last;
  if (last) {
    if (last.resumable) lenses.push(lens('$(debug-continue) Resume', 'resume', 'Continue the last run from its checkpoint'));
    lenses.push(lens('$(history) Open last run', 'openLastRun', `Open the last run (${last.state}) in the panel`));
    if (last.archExists) lenses.push(lens('$(file-code) Open architecture', 'openArchitecture', 'Open the found architecture (.arch.json)'));
  }
  return lenses;
}
