/**
 * `resbuilder export` as a user runs it (the built bin, in its own process): from a finished run
 * folder, from the `.arch.json` next to its config (weights from the run it names), and a clear
 * error naming the problem and the fix for each bad input, with nothing written.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { serializeArchitecture } from '../../../src/core/arch/json';
import { useCpuBackend } from '../model/helpers';
import { calibratedModel, everyLayerKind, finishedRunFolder, mnistDigits, tempDir } from './fixtures';

const CLI = path.resolve(__dirname, '../../../bin/resbuilder.js');

function resbuilder(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('resbuilder export', function () {
  this.timeout(180_000);
  useCpuBackend();
  let root = '';
  let runDir = '';

  before(async () => {
    const { train } = await mnistDigits();
    root = tempDir('resbuilder-cli-export-');
    const model = calibratedModel(everyLayerKind('standard'), train);
    runDir = await finishedRunFolder(root, everyLayerKind('standard'), model);
    model.dispose();
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('exports a finished run folder in both formats into --out', async () => {
    const out = path.join(root, 'exported');
    const result = resbuilder('export', runDir, '--format', 'onnx,pytorch', '--out', out);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(fs.readdirSync(out).sort(), ['digits.onnx', 'digits.py', 'digits.safetensors']);
    assert.match(result.stdout, /wrote .*digits\.onnx/);
    const session = await ort.InferenceSession.create(path.join(out, 'digits.onnx'));
    const probs = (await session.run({ input: new ort.Tensor('float32', new Float32Array(784), [1, 1, 28, 28]) })).probabilities.data as Float32Array;
    assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    await session.release();
  });

  it("exports an .arch.json next to its config with the weights of the run it names", () => {
    const result = resbuilder('export', path.join(root, 'digits.arch.json'), '--format', 'onnx');
    assert.equal(result.code, 0, result.stderr);
    assert.ok(fs.existsSync(path.join(root, 'digits.onnx')), 'the file lands next to the .arch.json');
  });

  it('refuses ONNX for an .arch.json whose run is gone, and writes the PyTorch module freshly initialised', () => {
    const dir = tempDir('resbuilder-cli-export-');
    const file = path.join(dir, 'lone.arch.json');
    fs.writeFileSync(file, serializeArchitecture(everyLayerKind('reference')));
    const onnx = resbuilder('export', file, '--format', 'onnx', '--quiet');
    assert.equal(onnx.code, 2);
    assert.match(onnx.stderr, /lone\.arch\.json: ONNX export needs the trained weights, and .*names no run.*Fix: export the run folder/);
    assert.ok(!fs.existsSync(path.join(dir, 'lone.onnx')));
    const torch = resbuilder('export', file, '--format', 'pytorch');
    assert.equal(torch.code, 0, torch.stderr);
    assert.match(torch.stderr, /freshly initialised/);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['lone.arch.json', 'lone.py']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names the problem and the fix for bad input, in --quiet mode too, and writes nothing', () => {
    const dir = tempDir('resbuilder-cli-export-');
    const arch = JSON.parse(serializeArchitecture(everyLayerKind('standard'))) as { schemaVersion: number; layers: { kind: string }[] };
    const newer = path.join(dir, 'newer.arch.json');
    fs.writeFileSync(newer, JSON.stringify({ ...arch, schemaVersion: 2 }));
    const unknown = path.join(dir, 'unknown.arch.json');
    fs.writeFileSync(unknown, JSON.stringify({ ...arch, layers: arch.layers.map((l, i) => (i === 4 ? { ...l, kind: 'upsample' } : l)) }));
    const unfinished = path.join(dir, '.resbuilder', 'runs', 'digits-1');
    fs.mkdirSync(unfinished, { recursive: true });
    fs.writeFileSync(path.join(unfinished, 'events.jsonl'), '');

    const cases: [string[], RegExp][] = [
      [[newer, '--format', 'pytorch'], /newer\.arch\.json: schemaVersion: the architecture format version 2 is newer than this ResBuilder Studio reads \(version 1\)\. Fix: update ResBuilder Studio/],
      [[unknown, '--format', 'pytorch'], /unknown\.arch\.json: invalid architecture:\s+layers\[4\]\.kind: .*"upsample"/],
      [[unfinished, '--format', 'onnx'], /digits-1: no trained weights to export \(result\.arch\.json is missing\): the run has not finished\. Fix: finish it with `resbuilder resume/],
      [[newer, '--format', 'tflite'], /--format: "tflite" is not an export format; use one of onnx, pytorch/],
      [[newer], /export: --format is missing/],
    ];
    for (const [args, message] of cases) {
      const result = resbuilder('export', ...args, '--quiet');
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
    assert.deepEqual(fs.readdirSync(dir).sort(), ['.resbuilder', 'newer.arch.json', 'unknown.arch.json']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
