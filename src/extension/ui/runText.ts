/** Short texts about a run for the status bar, progress notifications and lenses. Pure. */
import type { LifecyclePhase } from '../runs/runLifecycle';
import { formatPercent } from '../../core/format';
import type { RunSummary } from '../../protocol/run-stream/run-summary';

/** "Cycle 1 · train · epoch 2/3", or what the process is doing before the first phase. */
export function progressText(phase: LifecyclePhase, summary: RunSummary): string {
  if (phase === 'queued') return 'Queued';
  if (phase === 'stopping') return 'Stopping (writing a checkpoint)…';
  if (phase === 'starting' || summary.phase === null) return summary.runId ? 'Loading data…' : 'Starting…';
  const parts = [summary.phase.label];
  if (summary.epoch) parts.push(`epoch ${summary.epoch.epoch}/${summary.epoch.epochs}`);
  return parts.join(' · ');
}

/** "Cycle 1 · train · epoch 2/3 · acc 95.10 % · depth 7". */
export function statusText(phase: LifecyclePhase, summary: RunSummary): string {
  const parts = [progressText(phase, summary)];
  if (summary.accuracy !== null) parts.push(`acc ${formatPercent(summary.accuracy)}`);
  if (summary.depth !== null) parts.push(`depth ${summary.depth}`);
  return parts.join(' · ');
}
