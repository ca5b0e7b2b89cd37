import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../../src/protocol/events';
import { BackendReportSchema } from '../../../src/protocol/events';
import { BackendError } from '../../../src/trainer/backends/backend-error';
import { BUILD_HINT } from '../../../src/trainer/backends/native/addon';
import { isNativeAvailable } from '../../../src/trainer/backends/native/index';
import { hasTfjsNodeAddon } from '../../../src/trainer/backends/optional-module';
import type { Prober, ProbeResult } from '../../../src/trainer/backends/probe-result';
import { selectBackend } from '../../../src/trainer/backends/select';
import { useBackend } from './compare';

/**
 * A prober that answers from a table and records what it was asked. The GPU, libtensorflow and
 * crashing or hanging libraries cannot exist on the test machine, so their probe results are
 * stand-ins here; the real child-process prober is tested in probe-process.test.ts.
 */
function fakeProber(answers: Partial<Record<BackendName, ProbeResult>>): Prober & { asked: BackendName[] } {
  const asked: BackendName[] = [];
  const prober = async (name: BackendName): Promise<ProbeResult> => {
    asked.push(name);
    return answers[name] ?? { ok: true };
  };
  return Object.assign(prober, { asked });
}

const NO_GPU: ProbeResult = { ok: false, kind: 'no-gpu-device', detail: 'TensorFlow found no usable GPU' };
const NOT_INSTALLED: ProbeResult = { ok: false, kind: 'not-installed', detail: '@tensorflow/tfjs-node' };
const NATIVE_FAILS: ProbeResult = {
  ok: false,
  kind: 'load-failed',
  detail: "The native backend's addon is not built",
};

describe('selectBackend', () => {
  afterEach(async () => {
    await useBackend('wasm');
  });

  describe('auto, with probe results standing in for other machines', () => {
    it('takes wasm after the faster ones fail and says why each was skipped', async () => {
      const prober = fakeProber({
        'tensorflow-gpu': NO_GPU,
        tensorflow: { ok: false, kind: 'timed-out', detail: '100 ms' },
        native: NATIVE_FAILS,
      });
      const report = await selectBackend('auto', { prober, probeTimeoutMs: 100 });
      assert.deepEqual(BackendReportSchema.parse(report), report);
      assert.equal(report.name, 'wasm');
      assert.equal(report.threads, 1);
      assert.equal(tf.getBackend(), 'wasm');
      assert.deepEqual(prober.asked, ['tensorflow-gpu', 'tensorflow', 'native', 'wasm']);
      assert.deepEqual(
        report.skipped.map((s) => s.name),
        ['tensorflow-gpu', 'tensorflow', 'native'],
      );
      assert.match(report.skipped[0].reason, /^no GPU device/);
      assert.match(report.skipped[1].reason, /^timed out.*100 ms/);
      assert.equal(report.skipped[2].reason, "failed to load: The native backend's addon is not built");
    });

    it('skips a backend whose probe passed but which cannot start in the trainer, and goes on', async () => {
      // The probe claims tfjs-node works (as on a machine that has it); where its addon is
      // missing, starting it in this process fails and the next backend is taken.
      const prober = fakeProber({ 'tensorflow-gpu': NOT_INSTALLED, native: NATIVE_FAILS });
      const report = await selectBackend('auto', { prober });
      if (hasTfjsNodeAddon('@tensorflow/tfjs-node')) {
        assert.equal(report.name, 'tensorflow');
        return;
      }
      assert.equal(report.name, 'wasm');
      assert.deepEqual(
        report.skipped.map((s) => s.name),
        ['tensorflow-gpu', 'tensorflow', 'native'],
      );
      assert.match(report.skipped[1].reason, /tfjs-node|libtensorflow|tfjs_binding/);
    });

    it('falls back to cpu without probing it, and reports a prober that throws as a crash', async () => {
      const prober: Prober = async (name) => {
        if (name === 'native') throw new Error('spawn failed\nmore detail');
        return { ok: false, kind: 'load-failed', detail: `${name} broken` };
      };
      const report = await selectBackend('auto', { prober });
      assert.equal(report.name, 'cpu');
      assert.equal(tf.getBackend(), 'cpu');
      assert.deepEqual(
        report.skipped.map((s) => [s.name, s.reason]),
        [
          ['tensorflow-gpu', 'failed to load: tensorflow-gpu broken'],
          ['tensorflow', 'failed to load: tensorflow broken'],
          ['native', 'the probe process crashed: spawn failed'],
          ['wasm', 'failed to load: wasm broken'],
        ],
      );
    });
  });

  describe('explicit choice', () => {
    it('throws BackendError with the fix instead of falling back', async () => {
      await useBackend('wasm');
      const prober = fakeProber({ 'tensorflow-gpu': NO_GPU });
      await assert.rejects(selectBackend('tensorflow-gpu', { prober }), (error: unknown) => {
        assert.ok(error instanceof BackendError);
        assert.equal(error.backend, 'tensorflow-gpu');
        assert.match(error.message, /no GPU device/);
        assert.match(error.message, /CUDA 11\.2 \/ cuDNN 8\.1/);
        return true;
      });
      assert.deepEqual(prober.asked, ['tensorflow-gpu']);
      assert.equal(tf.getBackend(), 'wasm', 'the active backend is left alone');
    });

    it('gives the native build instructions once', async () => {
      const crashed: ProbeResult = { ok: false, kind: 'crashed', detail: 'killed by SIGSEGV' };
      await assert.rejects(selectBackend('native', { prober: fakeProber({ native: crashed }) }), (error: unknown) => {
        assert.ok(error instanceof BackendError);
        assert.match(error.message, /crashed: killed by SIGSEGV/);
        assert.match(error.message, /native backend not built: .*libdnnl-dev/);
        return true;
      });
      const notBuilt: ProbeResult = { ok: false, kind: 'load-failed', detail: `addon missing. ${BUILD_HINT}` };
      await assert.rejects(selectBackend('native', { prober: fakeProber({ native: notBuilt }) }), (error: unknown) => {
        assert.ok(error instanceof BackendError);
        assert.equal(error.message.split(BUILD_HINT).length, 2, error.message);
        assert.match(error.message, /set backend: auto/);
        return true;
      });
    });

    it('probes only the chosen backend and says the faster ones were not tried', async () => {
      const prober = fakeProber({});
      const report = await selectBackend('wasm', { prober });
      assert.equal(report.name, 'wasm');
      assert.deepEqual(prober.asked, ['wasm']);
      assert.deepEqual(
        report.skipped.map((s) => s.name),
        ['tensorflow-gpu', 'tensorflow', 'native'],
      );
      assert.match(report.skipped[0].reason, /not tried: the config sets backend: wasm/);
    });

    it('starts cpu when asked, without a probe', async () => {
      const prober = fakeProber({});
      const report = await selectBackend('cpu', { prober });
      assert.equal(report.name, 'cpu');
      assert.equal(tf.getBackend(), 'cpu');
      assert.deepEqual(prober.asked, []);
    });
  });

  describe('on this machine (real probes)', () => {
    it('auto reports tfjs-node(-gpu) as not installed and picks native if built, else wasm', async () => {
      const report = await selectBackend('auto');
      const expected = isNativeAvailable() ? 'native' : 'wasm';
      assert.equal(report.name, expected, JSON.stringify(report));
      assert.equal(tf.getBackend(), expected);
      assert.equal(report.skipped[0].name, 'tensorflow-gpu');
      assert.match(report.skipped[0].reason, /^not installed \(@tensorflow\/tfjs-node-gpu/);
      assert.equal(report.skipped[1].name, 'tensorflow');
      assert.match(report.skipped[1].reason, /^not installed \(@tensorflow\/tfjs-node/);
      if (expected === 'wasm') assert.match(report.skipped[2].reason, /^failed to load: /);
      assert.equal(report.skipped.length, expected === 'native' ? 2 : 3);
    });

    it('an explicit tensorflow choice throws BackendError saying how to install it', async () => {
      await assert.rejects(selectBackend('tensorflow'), (error: unknown) => {
        assert.ok(error instanceof BackendError);
        assert.match(error.message, /backend 'tensorflow'/);
        assert.match(error.message, /not installed/);
        assert.match(error.message, /resbuilder backends install tensorflow/);
        assert.match(error.message, /looked in the workspace's node_modules/);
        return true;
      });
    });
  });
});
