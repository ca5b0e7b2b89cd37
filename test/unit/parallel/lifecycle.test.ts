/**
 * Worker failures and shutdown: a worker's error reaches the training thread as a clear Error
 * (also while the other worker waits for it in a collective), a worker that cannot start fails
 * the start, and a process that closes its workers ends by itself.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { activateBackend } from '../../../src/trainer/backends/activate';
import { ParallelStepper } from '../../../src/trainer/parallel/parallel-stepper';
import { TrainingWorkerError } from '../../../src/trainer/parallel/worker-handle';
import { bnArch, hostBatch, model, training } from './helpers';

describe('data-parallel workers: failures and shutdown', function () {
  this.timeout(120_000);
  before(async () => {
    await activateBackend('wasm');
  });

  it('reports the failing worker\'s own error, not the abandoned collective of the other', async () => {
    const arch = bnArch();
    const config = training();
    const m = model(arch, config);
    const stepper = await ParallelStepper.start({ workers: 2, model: m, arch, training: config, l1OnlyOnInsertedLayers: false, morphnet: null, optimizerState: null });
    try {
      const batch = hostBatch(4, 1);
      // Images for 3 of the 4: worker 0's share is whole, worker 1's is short and its tensor fails,
      // while worker 0 waits for it in the first BN's statistics.
      const broken = { ...batch, x: batch.x.slice(0, (batch.x.length / 4) * 3) };
      await assert.rejects(stepper.step(broken, 0.01), (error: unknown) => {
        assert.ok(error instanceof TrainingWorkerError, String(error));
        assert.equal(error.rank, 1);
        assert.equal(error.aborted, false);
        assert.match(error.message, /^Training worker 1 failed: .*(values|shape)/);
        return true;
      });
      // A failed group trains no more, and says why.
      await assert.rejects(stepper.step(hostBatch(4, 2), 0.01), /Training worker 1 failed/);
    } finally {
      await stepper.close();
      m.dispose();
    }
  });

  it('fails the start with the worker\'s error when a worker cannot start', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-worker-'));
    const entry = path.join(dir, 'broken-entry.js');
    fs.writeFileSync(entry, "throw new Error('this entry point is broken on purpose');\n");
    const arch = bnArch();
    const config = training();
    const m = model(arch, config);
    try {
      await assert.rejects(
        ParallelStepper.start({ workers: 2, model: m, arch, training: config, l1OnlyOnInsertedLayers: false, morphnet: null, optimizerState: null, entry: { modulePath: entry, execArgv: [] } }),
        /Training worker \d failed: this entry point is broken on purpose/,
      );
    } finally {
      m.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves nothing running after close: the process ends by itself', async () => {
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(__dirname, 'fixtures', 'shutdown-child.ts')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | string>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('still running after 60 s');
      }, 60_000);
      child.on('exit', (c, signal) => {
        clearTimeout(timer);
        resolve(c ?? String(signal));
      });
    });
    assert.equal(code, 0, `child: ${err}`);
    assert.match(out, /closed after a step of 6 images/);
  });
});
