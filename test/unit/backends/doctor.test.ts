/** The backend doctor against the real native and wasm backends of this machine. */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatDoctorReport } from '../../../src/protocol/backend-doctor-text';
import { DoctorReportSchema } from '../../../src/protocol/backend-doctor';
import { runDoctor } from '../../../src/trainer/backends/doctor';
import { BUILD_HINT } from '../../../src/trainer/backends/native/addon';
import { isNativeAvailable } from '../../../src/trainer/backends/native/index';
import { checkLibrary } from '../../../src/trainer/backends/system-libs';

const CLI = path.resolve(__dirname, '../../../bin/resbuilder.js');

describe('resbuilder backends (the doctor)', () => {
  it('lists every backend with the real native and wasm probes, their threads and training speed, as JSON and as a table', () => {
    const json = spawnSync(process.execPath, [CLI, 'backends', '--json', '--speed-seconds', '0.5'], { encoding: 'utf8' });
    assert.equal(json.status, 0, json.stderr);
    const report = DoctorReportSchema.parse(JSON.parse(json.stdout));
    assert.deepEqual(report.backends.map((b) => b.name), ['tensorflow-gpu', 'tensorflow', 'native', 'wasm', 'cpu']);
    const byName = Object.fromEntries(report.backends.map((b) => [b.name, b]));
    // tfjs-node cannot be installed on the test machine: reported as a missing package with its install command.
    assert.equal(byName.tensorflow.available, false);
    assert.deepEqual(byName.tensorflow.why, ['missing package: @tensorflow/tfjs-node is not installed']);
    assert.match(byName.tensorflow.fix[0], /^resbuilder backends install tensorflow /);
    assert.equal(byName['tensorflow-gpu'].available, false);
    const native = isNativeAvailable();
    assert.equal(byName.native.available, native);
    if (native) {
      assert.ok((byName.native.threads ?? 0) >= 1);
      assert.match(byName.native.detail ?? '', /^oneDNN \d+\.\d+/);
      assert.ok((byName.native.imagesPerSecond ?? 0) > 0);
    }
    assert.equal(byName.wasm.available, true);
    assert.equal(byName.wasm.threads, 1);
    assert.ok((byName.wasm.imagesPerSecond ?? 0) > 0);
    assert.equal(report.auto, native ? 'native' : 'wasm');
    assert.equal(report.speedProbeSeconds, 0.5);
    assert.deepEqual(report.locations.map((l) => l.label), ["the workspace's node_modules", 'the private backend folder', "the trainer's own folder"]);

    const text = spawnSync(process.execPath, [CLI, 'backends', '--speed-seconds', '0.5'], { encoding: 'utf8' });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^A run with backend: auto takes ${report.auto} `));
    assert.match(text.stdout, /^ {2}wasm +yes +1 +\d+(\.\d)? img\/s +SIMD (on|off)/m);
    assert.match(text.stdout, /^tensorflow: not available\n {2}why: missing package: @tensorflow\/tfjs-node is not installed\n {2}fix: resbuilder backends install tensorflow/m);
    assert.match(text.stderr, /checking wasm/);
  });

  it('says why the native backend fails and how to fix it when its addon is broken, and what a machine without a GPU lacks', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-doctor-'));
    const broken = path.join(dir, 'resbuilder_native.node');
    fs.writeFileSync(broken, 'not a shared library');
    const saved = process.env.RESBUILDER_NATIVE_ADDON;
    process.env.RESBUILDER_NATIVE_ADDON = broken;
    try {
      const noGpu = { platformSupported: true, platform: 'linux-x64', devices: [], libraries: [checkLibrary('libcudart.so.11.0'), { name: 'libcudnn.so.8', found: false }] };
      const report = await runDoctor({ speedMs: 0, gpu: noGpu });
      const native = report.backends.find((b) => b.name === 'native')!;
      assert.equal(native.available, false);
      assert.match(native.why[0], /resbuilder_native\.node failed to load/);
      assert.deepEqual(native.fix, [BUILD_HINT]);
      const gpu = report.backends.find((b) => b.name === 'tensorflow-gpu')!;
      assert.match(gpu.why.join('\n'), /no GPU: /);
      assert.match(gpu.why.join('\n'), /CUDA\/cuDNN libraries not found by the dynamic loader: (libcudart\.so\.11\.0, )?libcudnn\.so\.8/);
      assert.equal(report.auto, 'wasm');
      assert.equal(report.backends.find((b) => b.name === 'wasm')?.imagesPerSecond, undefined);
      assert.match(formatDoctorReport(report), /^native: not available\n {2}why: .*\n {2}fix: Install a C\+\+ compiler and oneDNN/m);
    } finally {
      if (saved === undefined) delete process.env.RESBUILDER_NATIVE_ADDON;
      else process.env.RESBUILDER_NATIVE_ADDON = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('asks the dynamic loader for libraries: one every Linux has is found, a missing soname is not', () => {
    assert.deepEqual(checkLibrary('libc.so.6'), { name: 'libc.so.6', found: true });
    const missing = checkLibrary('libresbuilder-no-such-library.so.1');
    assert.equal(missing.found, false);
    assert.match(missing.detail ?? '', /cannot open shared object file/);
  });
});
