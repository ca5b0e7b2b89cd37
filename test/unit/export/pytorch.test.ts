/**
 * The PyTorch module from an `.arch.json` alone (no run, so no weights): readable stages and
 * blocks, and with real PyTorch it runs on digits and trains. The trained-weights comparison is
 * in agreement.test.ts.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { serializeArchitecture } from '../../../src/core/arch/json';
import { loadExportSource, writeExports } from '../../../src/trainer/export/export';
import { exportCases, mnistDigits, tempDir } from './fixtures';
import { requireTorch, runTorchCheck, writeTorchInputs } from './torch';

describe('PyTorch export of an .arch.json without weights', function () {
  this.timeout(120_000);
  before(requireTorch);

  it('writes a freshly initialised module, which runs and trains', async () => {
    const { test } = await mnistDigits();
    const root = tempDir('resbuilder-torch-');
    const archFile = path.join(root, 'found-net.arch.json');
    fs.writeFileSync(archFile, serializeArchitecture(exportCases('reference')[0].arch));
    const files = writeExports(await loadExportSource(archFile), ['pytorch'], root);
    assert.deepEqual(files, [path.join(root, 'found_net.py')]);
    const source = fs.readFileSync(files[0], 'utf8');
    assert.match(source, /class Net\(nn\.Module\)/);
    assert.match(source, /self\.stage1 = nn\.Sequential\(\)/);
    assert.match(source, /Block\(c, \[\(w\["a\.c1"\], 3, 2\), \(w\["a\.c2"\], 3, 1\)\], shortcut_stride=2\)/);
    assert.match(source, /No trained weights were exported/);
    const subset = { images: test.images.subarray(0, 64 * 784), labels: test.labels.subarray(0, 64), count: 64 };
    const report = runTorchCheck(root, 'found_net', null, writeTorchInputs(root, subset), 64, null);
    assert.deepEqual(report.outputShape, [64, 10]);
    assert.ok(Number.isFinite(report.trainLoss));
    assert.ok(report.changedParameters > report.parameters / 2, `the training step moved ${report.changedParameters} of ${report.parameters} parameters`);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
