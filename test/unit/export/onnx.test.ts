/**
 * The ONNX file's interface and metadata: opset 13, the named NCHW input and the output with
 * their shapes, and the run's provenance in metadata_props, as ONNX Runtime and onnx.proto read
 * them. The numeric agreement is in agreement.test.ts.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { loadExportSource, writeExports } from '../../../src/trainer/export/export';
import { decodeOnnx, ONNX_OPSET } from '../../../src/trainer/export/onnx';
import { useCpuBackend } from '../model/helpers';
import { calibratedModel, exportCases, finishedRunFolder, mnistDigits, tempDir } from './fixtures';

describe('ONNX export: interface and metadata', function () {
  this.timeout(120_000);
  useCpuBackend();

  it('names the NCHW input and output with their shapes, uses opset 13 and carries the provenance', async () => {
    const { train } = await mnistDigits();
    const arch = exportCases('standard')[0].arch;
    const model = calibratedModel(arch, train);
    const root = tempDir('resbuilder-onnx-');
    const runDir = await finishedRunFolder(root, arch, model);
    model.dispose();
    const [file] = writeExports(await loadExportSource(runDir), ['onnx'], root);
    const session = await ort.InferenceSession.create(file);
    assert.deepEqual(session.inputNames, ['input']);
    assert.deepEqual(session.outputNames, ['probabilities']);
    await session.release();
    const decoded = decodeOnnx(fs.readFileSync(file)) as {
      opset_import: { domain?: string; version: number }[];
      graph: { input: { name: string; type: { tensor_type: { shape: { dim: { dim_value?: number; dim_param?: string }[] } } } }[]; output: { name: string; type: { tensor_type: { shape: { dim: { dim_value?: number; dim_param?: string }[] } } } }[] };
      metadata_props: { key: string; value: string }[];
    };
    assert.equal(decoded.opset_import[0].version, ONNX_OPSET);
    assert.ok(ONNX_OPSET >= 13);
    assert.deepEqual(decoded.graph.input[0].type.tensor_type.shape.dim, [{ dim_param: 'batch' }, { dim_value: 1 }, { dim_value: 28 }, { dim_value: 28 }]);
    assert.deepEqual(decoded.graph.output[0].type.tensor_type.shape.dim, [{ dim_param: 'batch' }, { dim_value: 10 }]);
    const meta = Object.fromEntries(decoded.metadata_props.map((p) => [p.key, p.value]));
    assert.equal(meta['resbuilder.configHash'], 'sha256:0123abcd');
    assert.equal(meta['resbuilder.seed'], '42');
    assert.equal(meta['resbuilder.testAccuracy'], '0.9123');
    assert.equal(JSON.parse(meta['resbuilder.versions'])['tfjs-core'], tf.version_core);
    assert.equal(JSON.parse(meta['resbuilder.architecture']).blockStyle, 'standard');
    fs.rmSync(root, { recursive: true, force: true });
  });
});
