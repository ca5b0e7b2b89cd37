/**
 * The exported files against the real runtimes: ONNX Runtime (onnxruntime-node, CPU) and PyTorch
 * (Debian's python3-torch, run as /usr/bin/python3). On the 2,000 built-in MNIST test digits both
 * give TF.js's softmax within 1e-4 with the same argmax for at least 99.9 % of them, for both block
 * styles and every layer kind; the `.safetensors` names are the module's state dict, and a
 * PyTorch training step runs. `RESBUILDER_EXPORT_FIGURES=<file>` appends the measured figures.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { BlockStyle } from '../../../src/core/arch/types';
import { loadExportSource, writeExports } from '../../../src/trainer/export/export';
import { useCpuBackend } from '../model/helpers';
import { agreement, calibratedModel, exportCases, finishedRunFolder, mnistDigits, tempDir, tfPredict, toNchw, type Digits } from './fixtures';
import { requireTorch, runTorchCheck, writeTorchInputs } from './torch';

async function onnxPredict(file: string, set: Digits, classes: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file);
  try {
    const nchw = toNchw(set.images, set.count, 28, 28, 1);
    const out = new Float32Array(set.count * classes);
    const batch = 500;
    for (let i = 0; i < set.count; i += batch) {
      const n = Math.min(batch, set.count - i);
      const result = await session.run({ input: new ort.Tensor('float32', nchw.slice(i * 784, (i + n) * 784), [n, 1, 28, 28]) });
      out.set(result.probabilities.data as Float32Array, i * classes);
    }
    return out;
  } finally {
    await session.release();
  }
}

function record(line: string): void {
  console.log(`      ${line}`);
  const file = process.env.RESBUILDER_EXPORT_FIGURES;
  if (file) fs.appendFileSync(file, `${line}\n`);
}

describe('exported ONNX and PyTorch files against ONNX Runtime, PyTorch and TF.js', function () {
  this.timeout(600_000);
  useCpuBackend();
  before(requireTorch);

  for (const style of ['standard', 'reference'] as BlockStyle[]) {
    for (const { name, arch } of exportCases(style)) {
      it(`${style}: ${name}: same softmax as TF.js on the MNIST test digits`, async () => {
        const { train, test } = await mnistDigits();
        const model = calibratedModel(arch, train);
        const expected = tfPredict(model, test);
        const root = tempDir('resbuilder-export-');
        const runDir = await finishedRunFolder(root, arch, model);
        model.dispose();
        const files = writeExports(await loadExportSource(runDir), ['onnx', 'pytorch'], root);
        assert.deepEqual(files, ['digits.onnx', 'digits.py', 'digits.safetensors'].map((f) => path.join(root, f)));

        const onnx = agreement(expected, await onnxPredict(files[0], test, 10), 10, test.labels);
        const expectedFile = path.join(root, 'expected.f32');
        fs.writeFileSync(expectedFile, new Uint8Array(expected.buffer));
        const torch = runTorchCheck(root, 'digits', files[2], writeTorchInputs(root, test), test.count, expectedFile);
        const confident = Array.from(expected).filter((p) => p > 0.01 && p < 0.99).length / expected.length;
        record(`${style} | ${name} | ONNX Runtime max |Δ| ${onnx.maxAbsDiff.toExponential(2)}, argmax ${(onnx.argmaxAgreement * 100).toFixed(2)} % | PyTorch max |Δ| ${torch.maxAbsDiff!.toExponential(2)}, argmax ${(torch.argmaxAgreement! * 100).toFixed(2)} % | ${test.count} digits, ${(confident * 100).toFixed(0)} % of TF.js probabilities in (0.01, 0.99)`);

        assert.ok(onnx.maxAbsDiff <= 1e-4, `ONNX Runtime: max |Δ| ${onnx.maxAbsDiff}`);
        assert.ok(onnx.argmaxAgreement >= 0.999, `ONNX Runtime: argmax agreement ${onnx.argmaxAgreement}`);
        assert.equal(torch.sameNames, true, 'the .safetensors names are the state dict keys');
        assert.equal(torch.sameShapes, true);
        assert.ok(torch.maxAbsDiff! <= 1e-4, `PyTorch: max |Δ| ${torch.maxAbsDiff}`);
        assert.ok(torch.argmaxAgreement! >= 0.999, `PyTorch: argmax agreement ${torch.argmaxAgreement}`);
        assert.ok(Number.isFinite(torch.trainLoss));
        // A ReLU that is off for the whole batch leaves a parameter without gradient, so not all need to move.
        assert.ok(torch.changedParameters > torch.parameters / 2, `the training step moved ${torch.changedParameters} of ${torch.parameters} parameters`);
        // The comparison means something only if the softmax is neither saturated nor uniform.
        assert.ok(confident > 0.05, `only ${confident} of the probabilities are away from 0 and 1`);
        fs.rmSync(root, { recursive: true, force: true });
      });
    }
  }
});
