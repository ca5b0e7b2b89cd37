/** Everything a run needs while it runs: config, folders, event stream, stop flag, data, RNGs. */
import type { ResolvedConfig } from '../../core/config/types';
import type { BackendReport } from '../../protocol/events';
import type { LoadedDataset } from '../data/types';
import type { EventEmitter } from '../run/emitter';
import type { RunPaths } from '../run/run-dir';
import type { StopSignal } from '../run/stop-signal';
import type { TimeLedger } from '../run/time-ledger';
import type { TrainingData } from '../train/evaluate';
import type { RngSet as RunRngs } from '../../core/rng';

export interface RunContext {
  config: ResolvedConfig;
  configHash: string;
  paths: RunPaths;
  emitter: EventEmitter;
  stop: StopSignal;
  backend: BackendReport;
  dataset: LoadedDataset;
  data: TrainingData;
  rngs: RunRngs;
  versions: Record<string, string>;
  /** Where this process's time went, by kind of work (timing.json in the run folder). */
  times: TimeLedger;
  /** Seconds since this process started the run (or resumed it). */
  elapsedSeconds(): number;
}
