/** Every kind of bad `.arch.json` gets a message naming the place, what was expected and the fix. */
import assert from 'node:assert/strict';
import { ArchitectureFileError, parseArchitecture, parseArchitectureDocument, serializeArchitecture } from '../../../src/core/arch/json';
import { resnet20 } from '../../../src/core/arch/seeds';

/** An architecture as plain JSON, to be broken one value at a time. */
interface ArchJson {
  [key: string]: unknown;
  layers: Record<string, unknown>[];
}

const archJson = (): ArchJson => JSON.parse(serializeArchitecture(resnet20({ height: 32, width: 32, channels: 3 }, 10, 'standard'))) as ArchJson;

function fileError(value: unknown, document = false): ArchitectureFileError {
  try {
    (document ? parseArchitectureDocument : parseArchitecture)(JSON.stringify(value), 'n.arch.json');
  } catch (err) {
    assert.ok(err instanceof ArchitectureFileError, `expected ArchitectureFileError, got ${String(err)}`);
    return err;
  }
  assert.fail('parse should have failed');
}

/** The one problem line of a schema error. */
function problem(value: unknown): string {
  const lines = fileError(value).message.split('\n');
  assert.equal(lines[0], 'n.arch.json: invalid architecture:');
  assert.equal(lines.length, 2, lines.join('\n'));
  return lines[1].trim();
}

describe('arch json errors', () => {
  it('tells a missing key (add it) from a value of the wrong type (change it), and asks for whole numbers by name', () => {
    const missing = archJson();
    delete missing.numClasses;
    assert.equal(problem(missing), 'numClasses: expected a number, got nothing (the key is missing). Fix: add "numClasses" with a number.');
    assert.equal(problem({ ...archJson(), numClasses: 'ten' }), 'numClasses: expected a number, got "ten". Fix: change it to a number.');
    assert.equal(problem({ ...archJson(), numClasses: 2.5 }), 'numClasses: expected a whole number, got 2.5. Fix: change it to a whole number.');
  });

  it('lists the allowed values, without "one of" when only one is allowed', () => {
    assert.equal(problem({ ...archJson(), schemaVersion: 0 }), 'schemaVersion: expected 1, got 0. Fix: use 1.');
    assert.equal(problem({ ...archJson(), blockStyle: 'fancy' }), 'blockStyle: expected one of "reference", "standard", got "fancy". Fix: use one of "reference", "standard".');
    const wrongKind = archJson();
    wrongKind.layers[2].kind = 'conv2d';
    assert.equal(problem(wrongKind), 'layers[2].kind: expected one of "conv", "pool", "dense", got "conv2d". Fix: set it to one of "conv", "pool", "dense".');
  });

  it('names unknown keys, a bad id, and a document that is no object', () => {
    assert.equal(problem({ ...archJson(), extra: 1, more: 2 }), '(document): expected only the keys of the architecture format, got extra, more. Fix: remove "extra", "more".');
    const badId = archJson();
    badId.layers[0].id = '1bad';
    assert.equal(problem(badId), 'layers[0].id: expected ids start with a letter and use letters, digits, "_", "." or "-", got "1bad". Fix: rename it, e.g. "s1b1.conv1".');
    assert.equal(problem([1, 2]), '(document): expected a object, got [1,2]. Fix: change it to a object.');
    assert.equal(problem(null), '(document): expected a object, got null. Fix: change it to a object.');
  });

  it('quotes a bad value of up to 40 characters whole and cuts a longer one to 37 and "..."', () => {
    const fits = archJson();
    fits.layers[0].width = 'y'.repeat(38);
    assert.match(problem(fits), new RegExp(`got "${'y'.repeat(38)}"\\. Fix`));
    const long = archJson();
    long.layers[0].width = 'y'.repeat(39);
    assert.match(problem(long), new RegExp(`got "${'y'.repeat(36)}\\.\\.\\.\\. Fix`));
  });

  it('lists the first ten problems and counts the rest, and points at the first', () => {
    const arch = archJson();
    for (let i = 0; i < 12; i++) arch.layers[i].width = 0;
    const err = fileError(arch);
    const lines = err.message.split('\n').map((l) => l.trim());
    assert.equal(lines.length, 12);
    assert.equal(lines[10], 'layers[9].width: expected a value ≥ 1, got 0. Fix: raise it to at least 1.');
    assert.equal(lines[11], '... and 2 more problems.');
    assert.equal(err.path, 'layers[0].width');
    arch.layers[10].width = 16;
    arch.layers[11].width = 16;
    assert.equal(fileError(arch).message.split('\n').length, 11);
  });

  it('points a graph error at the layer it names, inside a document too', () => {
    const arch = archJson();
    arch.layers.splice(1, 0, { kind: 'dense', id: 'd', units: 4 });
    const err = fileError(arch);
    assert.equal(err.path, 'layers[2]');
    assert.equal(err.message, `n.arch.json: layers[2]: Layer "${String(arch.layers[2].id)}" (conv) follows a dense layer; dense layers must come last. Fix the layer list or the skips so that every block is a run of conv layers and every shape fits.`);
    assert.equal(fileError({ schemaVersion: 1, architecture: arch }, true).path, 'architecture.layers[2]');
  });

  it('refuses a newer format version with one clear message, for the document and the architecture inside it', () => {
    const newer = fileError({ ...archJson(), schemaVersion: 7 });
    assert.equal(newer.path, 'schemaVersion');
    assert.equal(newer.message, 'n.arch.json: schemaVersion: the architecture format version 7 is newer than this ResBuilder Studio reads (version 1). Fix: update ResBuilder Studio, or export the architecture again with this version.');
    const doc = fileError({ schemaVersion: 2, architecture: archJson() }, true);
    assert.equal(doc.path, 'schemaVersion');
    assert.match(doc.message, /^n\.arch\.json: schemaVersion: the \.arch\.json document format version 2 is newer/);
    const inner = fileError({ schemaVersion: 1, architecture: { ...archJson(), schemaVersion: 3 } }, true);
    assert.equal(inner.path, 'architecture.schemaVersion');
    assert.match(inner.message, /architecture\.schemaVersion: the architecture format version 3 is newer/);
  });

  it('reads an array or null as a bare (invalid) architecture, not as a document', () => {
    assert.equal(fileError([{ architecture: 1 }], true).path, '');
    assert.match(fileError(null, true).message, /\(document\): expected a object, got null/);
  });
  it('points a graph error at the first layer or skip too, and counts entries of a list that is too short', () => {
    const duplicate = archJson();
    duplicate.layers.push({ ...duplicate.layers[0] });
    assert.equal(fileError(duplicate).path, 'layers[0]');
    const unknown = archJson();
    (unknown.skips as Record<string, unknown>[])[0].from = 'nope';
    const err = fileError(unknown);
    assert.equal(err.path, 'skips[0]');
    assert.match(err.message, /^n\.arch\.json: skips\[0\]: Skip "\w+" starts at unknown layer "nope"\. Fix the layer list/);
    assert.equal(problem({ ...archJson(), layers: [] }), 'layers: expected a value ≥ 1 entries, got []. Fix: raise it to at least 1.');
  });

  it("quotes the JSON parser's reason without its position, which the message gives as line and column", () => {
    const err = (() => {
      try {
        parseArchitecture('{\n  "a": 1,\n  "b" 2\n}', 'n.arch.json');
      } catch (e) {
        return e as ArchitectureFileError;
      }
      assert.fail('parse should have failed');
    })();
    assert.equal(err.name, 'ArchitectureFileError');
    assert.deepEqual([err.line, err.column, err.path], [3, 7, '']);
    assert.match(err.message, /^n\.arch\.json:3:7: not valid JSON \([^()]+\)\. Fix the JSON syntax at line 3, column 7 \(a missing comma or quote, or a trailing comma, is the usual cause\)\.$/);
    assert.doesNotMatch(err.message, /position/);
  });
});
