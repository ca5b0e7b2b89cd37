/** The pure parts of the export: TF's 'same' padding, the layout permutations, the weights file, and bad input named. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ArchitectureFileError, parseArchitectureDocument, serializeArchitecture } from '../../../src/core/arch/json';
import { ArchitectureError } from '../../../src/core/arch/resolve';
import type { Architecture } from '../../../src/core/arch/types';
import { exportGraph, samePadding } from '../../../src/core/export/graph';
import { exportedWeights, ExportWeightsError, transpose } from '../../../src/core/export/weights';
import { decodeSafetensors, encodeSafetensors } from '../../../src/trainer/export/safetensors';
import { useCpuBackend } from '../model/helpers';
import { everyLayerKind } from './fixtures';

describe('export graph and weights', () => {
  useCpuBackend();

  it("pads as TF's 'same': output ceil(size / stride), the odd pixel after", () => {
    for (const [size, kernel, stride] of [[28, 7, 2], [14, 3, 2], [7, 3, 2], [3, 3, 2], [9, 5, 1], [1, 3, 2], [8, 1, 2]]) {
      const [before, after] = samePadding(size, kernel, stride);
      const x = tf.ones([1, size, size, 1]);
      const same = tf.conv2d(x as tf.Tensor4D, tf.ones([kernel, kernel, 1, 1]) as tf.Tensor4D, stride, 'same');
      const explicit = tf.conv2d(x as tf.Tensor4D, tf.ones([kernel, kernel, 1, 1]) as tf.Tensor4D, stride, [[0, 0], [before, after], [before, after], [0, 0]]);
      assert.deepEqual(explicit.shape, same.shape, `${size}/${kernel}/${stride}`);
      assert.deepEqual(Array.from(explicit.dataSync()), Array.from(same.dataSync()), `${size}/${kernel}/${stride}: pads ${before}, ${after}`);
      assert.ok(after >= before);
    }
  });

  it('transposes kernels as tf.transpose does (HWIO → OIHW, [in, out] → [out, in])', () => {
    for (const [shape, perm] of [[[3, 5, 2, 4], [3, 2, 0, 1]], [[6, 7], [1, 0]]] as [number[], number[]][]) {
      const t = tf.randomUniform(shape, -1, 1, 'float32', 3);
      assert.deepEqual(Array.from(transpose(t.dataSync() as Float32Array, shape, perm)), Array.from(tf.transpose(t, perm).dataSync()));
    }
  });

  it('gives every weight one PyTorch name and names a missing, mis-sized or extra weight', () => {
    const graph = exportGraph(everyLayerKind('standard'));
    const names = graph.params.map((p) => p.torchName);
    assert.equal(new Set(names).size, names.length);
    assert.ok(names.includes('stage0.a.projection.1.running_var'));
    assert.ok(names.includes('head.hidden.0.weight'));
    const weights = new Map(graph.params.map((p) => [p.tfName, new Float32Array(p.tfShape.reduce((a, b) => a * b, 1))]));
    assert.equal(exportedWeights(graph, weights).size, graph.params.length);
    const missing = new Map(weights);
    missing.delete('a.c1/kernel');
    assert.throws(() => exportedWeights(graph, missing), (e: unknown) => e instanceof ExportWeightsError && /no weight "a\.c1\/kernel"/.test(e.message));
    const wrong = new Map(weights).set('fc/bias', new Float32Array(3));
    assert.throws(() => exportedWeights(graph, wrong), /"fc\/bias" has 3 values where the architecture needs 16/);
    const extra = new Map(weights).set('ghost/kernel', new Float32Array(1));
    assert.throws(() => exportedWeights(graph, extra), /weights the architecture does not describe \(ghost\/kernel\)/);
  });

  it('refuses a layer kind it does not know, naming the layer', () => {
    const arch = everyLayerKind('reference');
    const odd = { ...arch, layers: arch.layers.map((l) => (l.id === 'mid' ? { kind: 'upsample', id: 'mid' } : l)) } as unknown as Architecture;
    assert.throws(() => exportGraph(odd), (e: unknown) => e instanceof ArchitectureError && e.at === 'mid' && /"mid" has the kind "upsample", which the exporter does not know/.test(e.message));
  });

  it('refuses an .arch.json document from a newer version with the fix', () => {
    const doc = JSON.stringify({ schemaVersion: 2, architecture: JSON.parse(serializeArchitecture(everyLayerKind('standard'))) });
    assert.throws(() => parseArchitectureDocument(doc, 'x.arch.json'), (e: unknown) => e instanceof ArchitectureFileError && /document format version 2 is newer .* Fix: update ResBuilder Studio/.test(e.message));
  });

  it('writes safetensors with an 8-byte aligned header that reads back', () => {
    const tensors = new Map([
      ['a.weight', { dtype: 'F32' as const, shape: [2, 3], values: Float32Array.from([1, -2, 3.5, 4, 5, 6]) }],
      ['a.num_batches_tracked', { dtype: 'I64' as const, shape: [], values: [0] }],
    ]);
    const bytes = encodeSafetensors(tensors, { seed: '42' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal((8 + headerLength) % 8, 0);
    const back = decodeSafetensors(bytes);
    assert.deepEqual(back.metadata, { seed: '42' });
    assert.deepEqual(Array.from(back.tensors.get('a.weight')!.values), [1, -2, 3.5, 4, 5, 6]);
    assert.deepEqual(back.tensors.get('a.num_batches_tracked'), { dtype: 'I64', shape: [], values: [0] });
  });
});
