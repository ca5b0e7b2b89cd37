/** The run's time report (docs/benchmarks.md, "Where a search's time goes"). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TIMING_FILE, timeReportLines } from '../run/time-ledger';
import type { RunContext } from './context';

/** timing.json in the run folder and, with `log`, the same shares as a log event: where this process's time went. */
export function writeTimeReport(ctx: RunContext, log: boolean): void {
  const report = ctx.times.report();
  fs.writeFileSync(path.join(ctx.paths.dir, TIMING_FILE), `${JSON.stringify(report, null, 2)}\n`);
  if (log) ctx.emitter.emit({ type: 'log', level: 'info', message: `Where this process's ${report.wallSeconds.toFixed(0)} s went:\n${timeReportLines(report).join('\n')}` });
}
