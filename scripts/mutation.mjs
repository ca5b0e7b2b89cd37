#!/usr/bin/env node
// `npm run test:mutation [-- <scope>… [stryker options]]`: runs StrykerJS once per scope of
// stryker.config.mjs (all scopes when none is named), one after the other, then prints each
// scope's mutation score and the total and writes them to bench-results/mutation/summary.json.
// Options that start with "--" go to every Stryker run, e.g. `--mutate src/core/search/*.ts`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SCOPES } from '../stryker.config.mjs';

const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('--'));
const named = firstOption < 0 ? args : args.slice(0, firstOption);
const strykerArgs = firstOption < 0 ? [] : args.slice(firstOption);
for (const scope of named) {
  if (!(scope in SCOPES)) {
    console.error(`test:mutation: "${scope}" is not a scope; use one or more of ${Object.keys(SCOPES).join(', ')}.`);
    process.exit(2);
  }
}
const scopes = named.length > 0 ? named : Object.keys(SCOPES);
const stryker = path.resolve('node_modules', '.bin', process.platform === 'win32' ? 'stryker.cmd' : 'stryker');

/** Stryker's score: detected (killed, timed out) over detected + undetected (survived, not covered). */
function scoreOf(reportFile) {
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  const counts = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, Ignored: 0, CompileError: 0, RuntimeError: 0 };
  for (const file of Object.values(report.files)) for (const mutant of file.mutants) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
  const detected = counts.Killed + counts.Timeout;
  const valid = detected + counts.Survived + counts.NoCoverage;
  return { ...counts, score: valid === 0 ? null : (100 * detected) / valid };
}

const summary = {};
let failed = false;
for (const scope of scopes) {
  console.log(`\n== mutation testing: ${scope} (${SCOPES[scope].mutate.join(', ')}) ==`);
  const run = spawnSync(stryker, ['run', 'stryker.config.mjs', ...strykerArgs], { stdio: 'inherit', env: { ...process.env, RESBUILDER_MUTATION_SCOPE: scope } });
  const report = path.join('bench-results', 'mutation', scope, 'mutation.json');
  if (run.status !== 0 || !fs.existsSync(report)) {
    console.error(`test:mutation: Stryker failed on scope "${scope}" (exit ${run.status ?? run.signal}); its log is above.`);
    failed = true;
    continue;
  }
  summary[scope] = scoreOf(report);
}

const total = Object.values(summary).reduce(
  (t, s) => ({ detected: t.detected + s.Killed + s.Timeout, valid: t.valid + s.Killed + s.Timeout + s.Survived + s.NoCoverage }),
  { detected: 0, valid: 0 },
);
console.log('\nscope            killed  timeout  survived  no cov.  score');
for (const [scope, s] of Object.entries(summary)) {
  console.log(`${scope.padEnd(16)} ${String(s.Killed).padStart(6)} ${String(s.Timeout).padStart(8)} ${String(s.Survived).padStart(9)} ${String(s.NoCoverage).padStart(8)}  ${s.score === null ? '-' : `${s.score.toFixed(2)} %`}`);
}
if (total.valid > 0) console.log(`${'total'.padEnd(16)} ${' '.repeat(34)}${((100 * total.detected) / total.valid).toFixed(2)} %`);
fs.mkdirSync(path.join('bench-results', 'mutation'), { recursive: true });
fs.writeFileSync(
  path.join('bench-results', 'mutation', 'summary.json'),
  `${JSON.stringify({ date: new Date().toISOString(), scopes: summary, total: total.valid > 0 ? (100 * total.detected) / total.valid : null }, null, 2)}\n`,
);
console.log('Reports: bench-results/mutation/<scope>/index.html; summary: bench-results/mutation/summary.json');
process.exit(failed ? 1 : 0);
