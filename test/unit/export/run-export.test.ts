/**
 * `outputs.export` in a real run: the trainer bundle trains the empty start on built-in MNIST
 * digits (wasm), and at the end the ONNX file and the PyTorch module with its weights are next to
 * the `.arch.json`; ONNX Runtime and PyTorch give the trained TF.js model's softmax on the run's
 * test digits.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadExportedModel } from '../../../src/trainer/model/export';
import { useCpuBackend } from '../model/helpers';
import { agreement, mnistDigits, tempDir, tfPredict, toNchw } from './fixtures';
import { requireTorch, runTorchCheck, writeTorchInputs } from './torch';

const CLI = path.resolve(__dirname, '../../../bin/resbuilder.js');

const CONFIG = `mode: train
seed: 42
backend: wasm
dataset:
  source: mnist
  limit: 1024
training:
  epochs: 1
  batchSize: 64
  batchNormMomentum: 0.5
architecture:
  start: empty
  blockStyle: reference
outputs:
  export: [onnx, pytorch]
`;

describe('outputs.export at the end of a run', function () {
  this.timeout(600_000);
  useCpuBackend();
  before(requireTorch);

  it('leaves the ONNX file and the PyTorch module next to the .arch.json, both giving the trained model\'s softmax', async () => {
    const dir = tempDir('resbuilder-run-export-');
    fs.writeFileSync(path.join(dir, 'digits.resbuilder.yaml'), CONFIG);
    const run = spawnSync(process.execPath, [CLI, 'run', path.join(dir, 'digits.resbuilder.yaml'), '--quiet'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    for (const file of ['digits.arch.json', 'digits.onnx', 'digits.py', 'digits.safetensors']) assert.ok(fs.existsSync(path.join(dir, file)), `${file} is missing`);

    const [runId] = fs.readdirSync(path.join(dir, '.resbuilder', 'runs'));
    const model = await loadExportedModel(path.join(dir, '.resbuilder', 'runs', runId, 'model'));
    const { test } = await mnistDigits();
    const expected = tfPredict(model, test);
    model.dispose();

    const session = await ort.InferenceSession.create(path.join(dir, 'digits.onnx'));
    const onnxOut = (await session.run({ input: new ort.Tensor('float32', toNchw(test.images, test.count, 28, 28, 1), [test.count, 1, 28, 28]) })).probabilities.data as Float32Array;
    await session.release();
    const onnx = agreement(expected, onnxOut, 10, test.labels);
    assert.ok(onnx.maxAbsDiff <= 1e-4, `ONNX Runtime: max |Δ| ${onnx.maxAbsDiff}`);
    assert.ok(onnx.argmaxAgreement >= 0.999);
    // One short epoch: well above chance (10 %) is enough to show the weights are the trained ones.
    assert.ok(onnx.accuracy > 0.15, `the run trained the network (accuracy ${onnx.accuracy})`);

    const expectedFile = path.join(dir, 'expected.f32');
    fs.writeFileSync(expectedFile, new Uint8Array(expected.buffer));
    const torch = runTorchCheck(dir, 'digits', path.join(dir, 'digits.safetensors'), writeTorchInputs(dir, test), test.count, expectedFile);
    assert.ok(torch.maxAbsDiff! <= 1e-4, `PyTorch: max |Δ| ${torch.maxAbsDiff}`);
    assert.ok(torch.argmaxAgreement! >= 0.999);
    const source = fs.readFileSync(path.join(dir, 'digits.py'), 'utf8');
    assert.match(source, new RegExp(`run ${runId}`), 'the docstring names the run');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
