/**
 * The CLI's console view of the event stream: a progress bar per epoch (images/s, ETA) redrawn
 * in place on a terminal, a line per finished epoch, and a line per structural change. When
 * stdout is not a terminal (CI logs, cluster job output) the bar is printed sparsely instead of
 * redrawn, so logs stay readable.
 */
import { formatDuration, formatFlops, formatParams, formatPercent } from '../../core/format';
import type { TrainerEvent } from '../../protocol/events';

const BAR_WIDTH = 24;

export function progressBar(done: number, total: number): string {
  const filled = total > 0 ? Math.round((done / total) * BAR_WIDTH) : 0;
  return `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(BAR_WIDTH - filled)}]`;
}

/** One line of text for an event, or null for events the console does not show as a line. */
export function describeEvent(event: TrainerEvent): string | null {
  switch (event.type) {
    case 'run-started': {
      const skipped = event.backend.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
      return [
        `run ${event.runId} (${event.mode}${event.resumed ? ', resumed' : ''}) — ${event.configPath}`,
        `backend: ${event.backend.name}${event.backend.module ? ` (${event.backend.module.package} ${event.backend.module.version} from ${event.backend.module.dir})` : ''}${skipped ? ` (skipped ${skipped})` : ''}`,
        `data: ${event.dataset.name} ${event.dataset.inputShape.join('×')}, ${event.dataset.numClasses} classes, ` +
          `${event.dataset.trainSize} train / ${event.dataset.validationSize} validation / ${event.dataset.testSize} test`,
      ].join('\n');
    }
    case 'phase-started':
      return `\n== ${event.label} (${event.epochs} epoch${event.epochs === 1 ? '' : 's'})`;
    case 'epoch-end': {
      const val = event.validation ? `  val loss ${event.validation.loss.toFixed(4)} acc ${formatPercent(event.validation.accuracy)}` : '';
      const flops = event.aliveFlops !== undefined ? `  alive ${formatFlops(event.aliveFlops)}` : '';
      return `epoch ${event.epoch}/${event.epochs}  loss ${event.train.loss.toFixed(4)} acc ${formatPercent(event.train.accuracy)}${val}  ` +
        `${Math.round(event.imagesPerSecond)} img/s  ${formatDuration(event.seconds)}${flops}`;
    }
    case 'evaluation':
      return `${event.split}: loss ${event.loss.toFixed(4)} accuracy ${formatPercent(event.accuracy)}`;
    case 'structural-change':
      return `* ${event.change.kind}: ${event.change.reason}`;
    case 'architecture':
      return event.cause === 'start' || event.cause === 'resume'
        ? `architecture: depth ${event.depth}, ${formatParams(event.params)}, ${formatFlops(event.flops)}`
        : `  → depth ${event.depth}, ${formatParams(event.params)}, ${formatFlops(event.flops)}`;
    case 'log':
      return event.level === 'info' ? event.message : `${event.level}: ${event.message}`;
    case 'finished':
      return `\nfinished in ${formatDuration(event.seconds)}: test accuracy ${formatPercent(event.test.accuracy)}, ` +
        `${formatParams(event.params)}, ${formatFlops(event.flops)}\narchitecture: ${event.archPath}\nmodel: ${event.modelDir}`;
    case 'stopped':
      return `\nstopped: ${event.reason}${event.resumable ? ' (resumable)' : ''}`;
    case 'failed':
      return `\nfailed: ${event.message}${event.hint ? `\n${event.hint}` : ''}`;
    case 'checkpoint':
    case 'epoch-progress':
      return null;
  }
}

export class ConsoleProgress {
  private barShown = false;
  private lastSparse = 0;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  readonly onEvent = (event: TrainerEvent): void => {
    if (event.type === 'epoch-progress') {
      this.showBar(event);
      return;
    }
    // The CLI prints a failure on stderr in every mode (failure.ts); here it only ends the bar.
    if (event.type === 'failed') {
      this.clearBar();
      return;
    }
    const line = describeEvent(event);
    if (line === null) return;
    this.clearBar();
    this.out.write(line + '\n');
  };

  private showBar(event: Extract<TrainerEvent, { type: 'epoch-progress' }>): void {
    const text = `epoch ${event.epoch}/${event.epochs} ${progressBar(event.batch, event.batches)} ${event.batch}/${event.batches}  ` +
      `loss ${event.loss.toFixed(4)} acc ${formatPercent(event.accuracy)}  ${Math.round(event.imagesPerSecond)} img/s  ETA ${formatDuration(event.etaSeconds)}`;
    if (this.out.isTTY) {
      this.out.write(`\r${text.slice(0, (this.out.columns || 120) - 1)}\x1b[K`);
      this.barShown = true;
    } else if (Date.now() - this.lastSparse > 30_000) {
      this.lastSparse = Date.now();
      this.out.write(text + '\n');
    }
  }

  private clearBar(): void {
    if (this.barShown) this.out.write('\r\x1b[K');
    this.barShown = false;
  }
}
