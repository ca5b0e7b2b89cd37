/**
 * Everything the panel knows about one run, built from its event stream. Ingesting is O(1) per
 * event and touches no DOM, so a replay of a whole run is one pass followed by one render; the
 * dirty flags tell the renderer which parts changed.
 *
 * The run's state (running, stopped, failed, resumable, why) is the one fold every view of a run
 * shares, `foldEvent` (docs/run-stream.md): the panel keeps that summary and adds only what the
 * summary leaves out, the run's history (curves, snapshots, changes) and the live details.
 */
import type { Architecture } from '../src/core/arch/types';
import { StreamCursor } from '../src/protocol/run-stream/merge';
import { foldEvent, initialSummary, markEnded, type RunState, type RunSummary } from '../src/protocol/run-stream/run-summary';
import type { BackendReport, DatasetInfo, StructuralChange, TrainerEvent } from '../src/protocol/events';


export interface Snapshot {
  seq: number;
  cause: 'start' | 'change' | 'resume' | 'final';
  changeIndex?: number;
  architecture: Architecture;
  params: number;
  flops: number;
  depth: number;
  /** Epochs completed in the whole run when the snapshot was taken. */
  epochsDone: number;
}

export interface ChangeRecord {
  index: number;
  cycle: number;
  step: number;
  seq: number;
  change: StructuralChange;
  epochsDone: number;
  /** The snapshot taken after this change, once it has arrived. */
  snapshotIndex?: number;
}

export interface EpochProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
  imagesPerSecond: number;
  etaSeconds: number;
}

/** Per-epoch curves over the whole run; x is the global epoch index (1-based). */
export interface EpochSeries {
  x: number[];
  trainLoss: number[];
  trainAccuracy: number[];
  validationLoss: (number | null)[];
  validationAccuracy: (number | null)[];
}

export interface DirtyFlags {
  header: boolean;
  snapshots: boolean;
  changes: boolean;
  curves: boolean;
}

export interface IngestResult {
  accepted: number;
  /** Events already seen (replay overlapping live) or of another run. */
  skipped: number;
  newChanges: ChangeRecord[];
  warnings: string[];
}

/** Real changes to the network, as opposed to the skipped insert/delete decisions. */
export function isStructural(change: StructuralChange): boolean {
  return change.kind === 'insert' || change.kind === 'delete' || change.kind === 'resize';
}

export class RunModel {
  runId: string | undefined;
  /** The run's state as every view of it sees it. */
  summary: RunSummary = initialSummary();
  /** The full report (the summary keeps only the backend's name): threads, skipped backends. */
  backend: BackendReport | undefined;
  dataset: DatasetInfo | undefined;
  progress: EpochProgress | undefined;
  lastEpoch: { validationAccuracy?: number; trainAccuracy: number; learningRate: number } | undefined;
  lastLog: { level: 'info' | 'warn' | 'error'; message: string } | undefined;

  readonly snapshots: Snapshot[] = [];
  readonly changes: ChangeRecord[] = [];
  readonly epochs: EpochSeries = { x: [], trainLoss: [], trainAccuracy: [], validationLoss: [], validationAccuracy: [] };
  /** Where the panel is in the run's stream: an event is taken once (docs/run-stream.md). */
  private readonly cursor: StreamCursor;
  readonly dirty: DirtyFlags = { header: true, snapshots: true, changes: true, curves: true };
  private readonly changeByIndex = new Map<number, ChangeRecord>();

  constructor(runId?: string) {
    this.runId = runId;
    this.cursor = new StreamCursor(runId);
  }

  /** The seq of the last event taken; -1 before the first. */
  get lastSeq(): number {
    return this.cursor.lastSeq;
  }

  get epochsDone(): number {
    return this.epochs.x.length;
  }

  get state(): RunState {
    return this.summary.state;
  }

  /**
   * The host saw the trainer end without a final event (it died, or its record was cut short):
   * the run is interrupted, and resumable when the host finds a checkpoint on disk. A later
   * `run-started` (a resume) makes it run again.
   */
  end(detail: string, resumable: boolean): void {
    const ended = markEnded(this.summary, detail);
    if (ended === this.summary) return;
    this.summary = { ...ended, resumable };
    this.dirty.header = true;
  }

  clearDirty(): void {
    this.dirty.header = this.dirty.snapshots = this.dirty.changes = this.dirty.curves = false;
  }

  changeAt(index: number): ChangeRecord | undefined {
    return this.changeByIndex.get(index);
  }

  ingest(events: readonly TrainerEvent[]): IngestResult {
    const result: IngestResult = { accepted: 0, skipped: 0, newChanges: [], warnings: [] };
    for (const event of events) {
      const { verdict, gap } = this.cursor.take(event);
      this.runId = this.cursor.runId;
      if (verdict === 'other-run') {
        result.skipped++;
        if (result.warnings.length < 3) result.warnings.push(`event seq ${event.seq} belongs to run "${event.runId}", not "${this.runId}"; ignored`);
        continue;
      }
      if (verdict === 'duplicate') {
        result.skipped++;
        continue;
      }
      if (gap > 0 && result.warnings.length < 3) {
        result.warnings.push(`events ${event.seq - gap}–${event.seq - 1} of run "${this.runId}" are missing`);
      }
      result.accepted++;
      this.summary = foldEvent(this.summary, event);
      this.collect(event, result);
    }
    return result;
  }

  /** What the panel keeps beyond the summary. */
  private collect(event: TrainerEvent, result: IngestResult): void {
    switch (event.type) {
      case 'run-started':
        this.backend = event.backend;
        this.dataset = event.dataset;
        this.dirty.header = true;
        return;
      case 'phase-started':
        this.progress = undefined;
        this.dirty.header = true;
        return;
      case 'epoch-progress':
        this.progress = {
          epoch: event.epoch,
          epochs: event.epochs,
          batch: event.batch,
          batches: event.batches,
          loss: event.loss,
          accuracy: event.accuracy,
          imagesPerSecond: event.imagesPerSecond,
          etaSeconds: event.etaSeconds,
        };
        this.dirty.header = true;
        return;
      case 'epoch-end': {
        const e = this.epochs;
        e.x.push(e.x.length + 1);
        e.trainLoss.push(event.train.loss);
        e.trainAccuracy.push(event.train.accuracy);
        e.validationLoss.push(event.validation ? event.validation.loss : null);
        e.validationAccuracy.push(event.validation ? event.validation.accuracy : null);
        this.lastEpoch = {
          trainAccuracy: event.train.accuracy,
          learningRate: event.learningRate,
          ...(event.validation ? { validationAccuracy: event.validation.accuracy } : {}),
        };
        this.progress = {
          epoch: event.epoch,
          epochs: event.epochs,
          batch: 1,
          batches: 1,
          loss: event.train.loss,
          accuracy: event.train.accuracy,
          imagesPerSecond: event.imagesPerSecond,
          etaSeconds: 0,
        };
        this.dirty.curves = this.dirty.header = true;
        return;
      }
      case 'architecture': {
        const snapshot: Snapshot = {
          seq: event.seq,
          cause: event.cause,
          architecture: event.architecture,
          params: event.params,
          flops: event.flops,
          depth: event.depth,
          epochsDone: this.epochsDone,
          ...(event.changeIndex !== undefined ? { changeIndex: event.changeIndex } : {}),
        };
        this.snapshots.push(snapshot);
        // Stryker disable next-line ConditionalExpression: without an index the lookup finds no change either.
        if (event.changeIndex !== undefined) {
          const change = this.changeByIndex.get(event.changeIndex);
          if (change) change.snapshotIndex = this.snapshots.length - 1;
        }
        this.dirty.snapshots = this.dirty.curves = this.dirty.header = this.dirty.changes = true;
        return;
      }
      case 'structural-change': {
        const record: ChangeRecord = {
          index: event.index,
          cycle: event.cycle,
          step: event.step,
          seq: event.seq,
          change: event.change,
          epochsDone: this.epochsDone,
        };
        this.changes.push(record);
        this.changeByIndex.set(event.index, record);
        result.newChanges.push(record);
        this.dirty.changes = this.dirty.curves = true;
        return;
      }
      case 'finished':
      case 'stopped':
      case 'failed':
        this.dirty.header = true;
        return;
      case 'log':
        if (event.level !== 'info') {
          this.lastLog = { level: event.level, message: event.message };
          this.dirty.header = true;
        }
        return;
      // 'evaluation' and 'checkpoint' change only the summary.
    }
  }
}
