/** The exported `<config>.arch.json`: fixed key order so the committed file diffs cleanly. */
import assert from 'node:assert/strict';
import { ARCH_DOCUMENT_VERSION, serializeArchDocument, type ArchDocument } from '../../../src/core/arch/document';
import { readArchitectureFile, serializeArchitecture } from '../../../src/core/arch/json';
import { resnet20 } from '../../../src/core/arch/seeds';
import type { StructuralChange } from '../../../src/core/search/change';

const cifar = { height: 32, width: 32, channels: 3 };
const DELETE: StructuralChange = {
  kind: 'delete', blockIds: ['n0003'], layerIds: ['n0003.conv1', 'n0003.conv2'], meanAbsWeights: { 'n0003.conv1': 0.001 }, threshold: 0.01, reason: 'small weights',
};

/** A document whose objects list their keys in an order unlike the file's. */
function scrambledDocument(): ArchDocument {
  return {
    changes: [{ change: DELETE, step: 7, cycle: 2, index: 0 }],
    provenance: {
      versions: { tfjs: '4.22.0', node: '22.1.0', app: '0.3.0' },
      dataset: { testSize: 10, validationSize: 5, trainSize: 50, fingerprint: 'f00d', name: 'cifar10' },
      backend: 'cpu',
      seed: 3,
      configHash: 'abc',
      configFile: 'exp.yaml',
      createdAt: '2026-12-04T00:00:00Z',
      runId: 'r1',
    },
    metrics: { depth: 20, flops: 4.1e7, params: 2.7e5, validationAccuracy: null, testLoss: 0.5, testAccuracy: 0.9 },
    architecture: resnet20(cifar, 10, 'standard'),
    schemaVersion: ARCH_DOCUMENT_VERSION,
  };
}

describe('arch document', () => {
  it('writes sections, metrics, provenance and changes in a fixed key order, versions sorted, with a trailing newline', () => {
    const doc = scrambledDocument();
    const text = serializeArchDocument(doc);
    assert.ok(text.endsWith('}\n'));
    const parsed = JSON.parse(text);
    assert.deepEqual(Object.keys(parsed), ['schemaVersion', 'architecture', 'metrics', 'provenance', 'changes']);
    assert.deepEqual(parsed.metrics, { testAccuracy: 0.9, testLoss: 0.5, validationAccuracy: null, params: 2.7e5, flops: 4.1e7, depth: 20 });
    assert.deepEqual(Object.keys(parsed.metrics), ['testAccuracy', 'testLoss', 'validationAccuracy', 'params', 'flops', 'depth']);
    assert.deepEqual(Object.keys(parsed.provenance), ['runId', 'createdAt', 'configFile', 'configHash', 'seed', 'backend', 'dataset', 'versions']);
    assert.deepEqual(parsed.provenance, { ...doc.provenance, dataset: { ...doc.provenance.dataset }, versions: { ...doc.provenance.versions } });
    assert.deepEqual(Object.keys(parsed.provenance.dataset), ['name', 'fingerprint', 'trainSize', 'validationSize', 'testSize']);
    assert.deepEqual(Object.keys(parsed.provenance.versions), ['app', 'node', 'tfjs']);
    assert.deepEqual(parsed.changes, [{ index: 0, cycle: 2, step: 7, change: DELETE }]);
    assert.deepEqual(Object.keys(parsed.changes[0]), ['index', 'cycle', 'step', 'change']);
  });

  it('embeds the architecture as its own file writes it, so the document reads back to the same architecture', () => {
    const doc = scrambledDocument();
    const text = serializeArchDocument(doc);
    const embedded = JSON.stringify(JSON.parse(text).architecture, null, 2);
    assert.equal(`${embedded}\n`, serializeArchitecture(doc.architecture));
    assert.deepEqual(readArchitectureFile(text, 'exp.arch.json').architecture, doc.architecture);
  });
});
