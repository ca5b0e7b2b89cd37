/** Probe child entry point when the trainer runs from TypeScript sources (tests, tsx). */
import { maybeRunProbe } from './probe-process';

void maybeRunProbe(process.argv).then((probed) => {
  if (!probed) {
    process.stderr.write('probe-entry.ts runs backend probes only; it was started without the probe flag\n');
    process.exitCode = 2;
  }
});
