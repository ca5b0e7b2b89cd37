import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { BackendReportSchema } from '../../../src/protocol/events';
import { PROBE_FLAG, probeInSubprocess, type ProbeEntry } from '../../../src/trainer/backends/probe-process';

const ROOT = path.resolve(__dirname, '../../..');

function script(dir: string, name: string, body: string): ProbeEntry {
  const file = path.join(dir, name);
  fs.writeFileSync(file, body);
  return { modulePath: file, execArgv: [] };
}

describe('backend probes in a child process', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-probe-'));
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs the wasm probe from the TypeScript sources', async () => {
    assert.deepEqual(await probeInSubprocess('wasm', 60_000), { ok: true });
  });

  it('reports an unknown backend name from the child', async () => {
    // Argument handling is in the child: feed it a name the parent's types would not allow.
    const entry = script(
      dir,
      'unknown.js',
      `process.argv = process.argv.map((a) => a.startsWith('${PROBE_FLAG}=') ? '${PROBE_FLAG}=tpu' : a);\n` +
        `require(${JSON.stringify(path.join(ROOT, 'src/trainer/backends/probe-entry.ts'))});\n`,
    );
    const result = await probeInSubprocess('wasm', 60_000, {
      ...entry,
      execArgv: ['--require', require.resolve('tsx/cjs')],
    });
    assert.deepEqual(result, { ok: false, kind: 'load-failed', detail: "unknown backend 'tpu'" });
  });

  it('gives up on a probe that hangs', async () => {
    const entry = script(dir, 'hang.js', 'setInterval(() => {}, 1000);\n');
    const result = await probeInSubprocess('native', 300, entry);
    assert.deepEqual(result, { ok: false, kind: 'timed-out', detail: '300 ms' });
  });

  it('survives a probe that crashes, and quotes its error', async () => {
    const entry = script(dir, 'crash.js', "process.stderr.write('warming up\\nError: libdnnl.so.3: cannot open shared object file\\n');\nprocess.exit(7);\n");
    const result = await probeInSubprocess('native', 10_000, entry);
    assert.deepEqual(result, {
      ok: false,
      kind: 'crashed',
      detail: 'exit code 7: Error: libdnnl.so.3: cannot open shared object file',
    });
  });

  it('survives a probe killed by a signal', async () => {
    const entry = script(dir, 'segv.js', "process.kill(process.pid, 'SIGSEGV');\nsetInterval(() => {}, 1000);\n");
    const result = await probeInSubprocess('native', 10_000, entry);
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.kind === 'crashed' && /SIGSEGV/.test(result.detail), JSON.stringify(result));
  });

  it('explains a child that ends without answering', async () => {
    const entry = script(dir, 'silent.js', "console.log('running the benchmark instead');\n");
    const result = await probeInSubprocess('native', 10_000, entry);
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.kind === 'crashed' && /maybeRunProbe/.test(result.detail), JSON.stringify(result));
  });

  it('does not fork from inside a probe process', async () => {
    const entry = script(dir, 'nested.js', 'process.exit(0);\n');
    const nested = script(
      dir,
      'outer.js',
      `require(${JSON.stringify(require.resolve('tsx/cjs'))});\n` +
        `const { probeInSubprocess } = require(${JSON.stringify(path.join(ROOT, 'src/trainer/backends/probe-process.ts'))});\n` +
        `probeInSubprocess('native', 10000, ${JSON.stringify(entry)}).then((r) => process.send({ type: 'resbuilder-backend-probe', result: r }));\n`,
    );
    // outer.js plays a program that ignores the probe flag and probes again in its child.
    const result = await probeInSubprocess('native', 60_000, nested);
    assert.ok(!result.ok && result.kind === 'crashed' && /tried to start probes/.test(result.detail), JSON.stringify(result));
  });

  it('works from an esbuild bundle that forks itself', async () => {
    const outfile = path.join(dir, 'bundle.js');
    await esbuild.build({
      entryPoints: [path.join(__dirname, 'fixtures/probe-bundle-entry.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      packages: 'external',
      logLevel: 'silent',
    });
    // The bundle lives outside the project; NODE_PATH lets its external packages resolve.
    const env = { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') };
    const { stdout } = await promisify(execFile)(process.execPath, [outfile], { env, timeout: 120_000 });
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    assert.ok(line, `no result line in: ${stdout}`);
    const { wasm, report } = JSON.parse(line.slice('RESULT '.length)) as { wasm: unknown; report: unknown };
    assert.deepEqual(wasm, { ok: true });
    const parsed = BackendReportSchema.parse(report);
    assert.ok(parsed.name === 'native' || parsed.name === 'wasm', JSON.stringify(parsed));
    assert.deepEqual(
      parsed.skipped.slice(0, 2).map((s) => s.name),
      ['tensorflow-gpu', 'tensorflow'],
    );
    if (parsed.name === 'wasm') {
      // The native probe ran in a fork of the bundle: a crash of the fork would say so.
      assert.doesNotMatch(parsed.skipped[2].reason, /crashed|timed out/);
    }
  });
});
