/**
 * Backend selection with the tfjs-node packages found in the private folder. The packages are
 * stand-ins (fixtures/stand-in-package.ts says what they are and why): they register a
 * `tensorflow` backend through TF.js's public registerBackend, so the real child-process probe,
 * the convolution check and the selection run on them unchanged.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BackendReportSchema } from '../../../src/protocol/events';
import { configureBackendLocations, resetBackendLocations } from '../../../src/trainer/backends/module-locations';
import { selectBackend } from '../../../src/trainer/backends/select';
import { useBackend } from './compare';
import { installStandIn } from './fixtures/stand-in-package';

describe('selection with backend packages from the private folder (stand-in packages)', () => {
  let root: string;
  let privateDir: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'resbuilder-stand-in-'));
    privateDir = path.join(root, 'private');
    configureBackendLocations({ workspace: path.join(root, 'workspace'), privateDir });
  });
  afterEach(async () => {
    await useBackend('wasm');
    if (tf.findBackendFactory('tensorflow') != null) tf.removeBackend('tensorflow');
    resetBackendLocations();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('auto takes tensorflow-gpu from the private folder when its backend computes on a GPU, and reports the package', async () => {
    const dir = installStandIn(privateDir, { name: '@tensorflow/tfjs-node-gpu', gpu: true });
    const report = await selectBackend('auto');
    assert.deepEqual(BackendReportSchema.parse(report), report);
    assert.equal(report.name, 'tensorflow-gpu');
    assert.equal(tf.getBackend(), 'tensorflow');
    assert.deepEqual(report.module, { package: '@tensorflow/tfjs-node-gpu', version: '4.22.0', dir, source: 'private' });
    assert.deepEqual(report.skipped, []);
  });

  it('skips tensorflow-gpu when its package finds no GPU device, and takes tensorflow from the workspace', async () => {
    installStandIn(privateDir, { name: '@tensorflow/tfjs-node-gpu', gpu: false });
    const cpuDir = installStandIn(path.join(root, 'workspace'), { name: '@tensorflow/tfjs-node' });
    const report = await selectBackend('auto');
    assert.equal(report.name, 'tensorflow');
    assert.equal(report.module?.source, 'workspace');
    assert.equal(report.module?.dir, cpuDir);
    assert.equal(report.skipped[0].name, 'tensorflow-gpu');
    assert.match(report.skipped[0].reason, /^no GPU device: .*CUDA 11\.2, cuDNN 8\.1/);
  });

  it('reports a package whose libtensorflow addon was not downloaded as not installed, with the fix', async () => {
    installStandIn(privateDir, { name: '@tensorflow/tfjs-node', withoutAddon: true });
    await assert.rejects(selectBackend('tensorflow'), (error: unknown) => {
      assert.match(String(error), /libtensorflow addon was not downloaded/);
      assert.match(String(error), /resbuilder backends install tensorflow/);
      return true;
    });
  });
});
