import assert from 'node:assert/strict';
import { ArchitectureFileError, parseArchitecture, parseArchitectureDocument, serializeArchitecture } from '../../../src/core/arch/json';
import { insertBlockAfter } from '../../../bench/lib/arch-edits';
import { resnet18, resnet20 } from '../../../src/core/arch/seeds';

const cifar = { height: 32, width: 32, channels: 3 };

function parseError(text: string, file = 'net.arch.json'): ArchitectureFileError {
  try {
    parseArchitecture(text, file);
  } catch (err) {
    assert.ok(err instanceof ArchitectureFileError, `expected ArchitectureFileError, got ${String(err)}`);
    return err;
  }
  assert.fail('parse should have failed');
}

describe('arch json', () => {
  it('round-trips every seed and an inserted block exactly', () => {
    const withInsert = insertBlockAfter(resnet20(cifar, 10, 'standard'), 's1b3.conv2', 'n0003', ['n0003.conv1', 'n0003.conv2'], 16, { insertedAt: 3 });
    for (const arch of [resnet18(cifar, 10, 'reference'), resnet20(cifar, 100, 'reference'), withInsert]) {
      const text = serializeArchitecture(arch);
      const back = parseArchitecture(text, 'x.arch.json');
      assert.deepEqual(back, arch);
      assert.equal(serializeArchitecture(back), text);
    }
  });

  it('writes keys in a fixed order, 2-space indent, trailing newline, whatever the object key order', () => {
    const arch = resnet20(cifar, 10, 'standard');
    const shuffled = {
      skips: arch.skips.map((s) => ({ to: s.to, from: s.from, id: s.id })),
      layers: arch.layers.map((l) => Object.fromEntries(Object.entries(l).reverse())),
      numClasses: arch.numClasses,
      input: { channels: 3, width: 32, height: 32 },
      blockStyle: arch.blockStyle,
      schemaVersion: arch.schemaVersion,
    } as unknown as typeof arch;
    const text = serializeArchitecture(shuffled);
    assert.equal(text, serializeArchitecture(arch));
    assert.ok(text.endsWith('}\n'));
    const lines = text.split('\n');
    assert.equal(lines[1], '  "schemaVersion": 1,');
    assert.equal(lines[2], '  "blockStyle": "standard",');
    const top = Object.keys(JSON.parse(text) as object);
    assert.deepEqual(top, ['schemaVersion', 'blockStyle', 'input', 'numClasses', 'layers', 'skips']);
    const firstLayer = (JSON.parse(text) as { layers: object[] }).layers[0];
    assert.deepEqual(Object.keys(firstLayer), ['kind', 'id', 'width', 'kernel', 'stride', 'origin']);
  });

  it('reports JSON syntax errors with file, line and column', () => {
    const err = parseError('{\n  "schemaVersion": 1,\n  "blockStyle": "standard",\n}\n', 'bad.arch.json');
    assert.equal(err.file, 'bad.arch.json');
    assert.equal(err.line, 4);
    assert.equal(err.column, 1);
    assert.match(err.message, /^bad\.arch\.json:4:1: not valid JSON/);
  });

  it('names the JSON path, the expected value and a fix for schema errors', () => {
    const arch = JSON.parse(serializeArchitecture(resnet20(cifar, 10, 'standard'))) as { layers: { width?: number; kind: string }[] };
    arch.layers[3].width = 0;
    const err = parseError(JSON.stringify(arch));
    assert.equal(err.path, 'layers[3].width');
    assert.match(err.message, /net\.arch\.json/);
    assert.match(err.message, /layers\[3\]\.width: expected a value ≥ 1, got 0\. Fix: raise it to at least 1/);

    arch.layers[3].width = 16;
    arch.layers[2].kind = 'conv2d';
    const kindErr = parseError(JSON.stringify(arch));
    assert.equal(kindErr.path, 'layers[2].kind');
    assert.match(kindErr.message, /"conv", "pool", "dense"/);
  });

  it('maps graph errors to the layer or skip path', () => {
    const arch = JSON.parse(serializeArchitecture(resnet20(cifar, 10, 'standard'))) as { skips: { to: string }[] };
    arch.skips[4].to = 'nowhere';
    const err = parseError(JSON.stringify(arch));
    assert.equal(err.path, 'skips[4]');
    assert.match(err.message, /unknown layer "nowhere"/);
  });

  it('reads the architecture out of an exported document, or a bare architecture', () => {
    const arch = resnet20(cifar, 10, 'standard');
    const doc = { schemaVersion: 1, architecture: JSON.parse(serializeArchitecture(arch)) as unknown, metrics: { testAccuracy: 0.9 }, provenance: {}, changes: [] };
    assert.deepEqual(parseArchitectureDocument(JSON.stringify(doc), 'a.arch.json'), arch);
    assert.deepEqual(parseArchitectureDocument(serializeArchitecture(arch), 'a.arch.json'), arch);
    (doc.architecture as { numClasses: number }).numClasses = 1;
    assert.throws(() => parseArchitectureDocument(JSON.stringify(doc), 'a.arch.json'), (e: unknown) => e instanceof ArchitectureFileError && e.path === 'architecture.numClasses');
  });
});
