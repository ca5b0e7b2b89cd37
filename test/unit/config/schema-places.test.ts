/**
 * Where a setting is: in the schema (which keys a section allows, the bounds of a number) and in
 * the YAML text (the key and value a diagnostic underlines, through anchors and lists).
 */
import { strict as assert } from 'node:assert';
import { LineCounter, parseDocument } from 'yaml';
import { allowedKeysAt, allSettingPaths, describeBounds, fieldSchemaAt, numericBoundsAt } from '../../../src/core/config/schema-shape';
import { locate, toRange } from '../../../src/core/config/yaml-locate';
import { parseConfigText } from '../../../src/core/config';

describe('config schema shape', () => {
  it('finds a setting by its path, and nothing past a setting or at an inherited name', () => {
    assert.ok(fieldSchemaAt(['search', 'cycles']));
    assert.equal(fieldSchemaAt(['seed', 'x']), undefined);
    assert.equal(fieldSchemaAt(['search', 0]), undefined);
    assert.equal(fieldSchemaAt(['constructor']), undefined);
    assert.equal(fieldSchemaAt(['nope', 'x']), undefined);
    assert.deepEqual(allowedKeysAt(['toString']), []);
    assert.deepEqual(allowedKeysAt(['seed']), []);
  });

  it('lists every setting path once, each leading to a setting', () => {
    const paths = allSettingPaths();
    assert.ok(paths.length > 20);
    for (const p of paths) assert.ok(Array.isArray(p) && fieldSchemaAt(p) !== undefined, JSON.stringify(p));
    assert.ok(paths.some((p) => p.join('.') === 'dataset.augmentation.shift'));
    assert.equal(new Set(paths.map((p) => p.join('.'))).size, paths.length);
  });

  it('reads the bounds of a number, of an integer that may be "auto" or null, and none of what is not a number', () => {
    assert.deepEqual(numericBoundsAt(['training', 'learningRate']), { integer: false, min: { value: 0, inclusive: false } });
    assert.deepEqual(numericBoundsAt(['dataset', 'validationSplit']), { integer: false, min: { value: 0, inclusive: true }, max: { value: 1, inclusive: false } });
    assert.deepEqual(numericBoundsAt(['workers']), { integer: true, min: { value: 1, inclusive: true }, max: { value: 64, inclusive: true } });
    // zod's safe-integer limit is no bound worth naming.
    assert.deepEqual(numericBoundsAt(['dataset', 'limit']), { integer: true, min: { value: 1, inclusive: true } });
    // A choice of numbers has no range to name.
    assert.deepEqual(numericBoundsAt(['dataset', 'channels']), { integer: false });
    assert.equal(numericBoundsAt(['name']), undefined);
    assert.equal(numericBoundsAt(['architecture', 'start']), undefined);
    assert.equal(numericBoundsAt(['nope']), undefined);
  });

  it('describes bounds in words, and a bare kind without them', () => {
    assert.equal(describeBounds({ integer: true }), 'an integer');
    assert.equal(describeBounds({ integer: false, max: { value: 1, inclusive: false } }), 'a number < 1');
    assert.equal(describeBounds({ integer: false, min: { value: 0, inclusive: false }, max: { value: 1, inclusive: true } }), 'a number > 0 and <= 1');
  });

  it('names the bounds of "auto"-or-integer settings in messages', () => {
    assert.deepEqual(parseConfigText('workers: 65\n', '/w/c.resbuilder.yaml').diagnostics.map((d) => d.message), ['expected an integer >= 1 and <= 64, got 65']);
  });
});

describe('config place in the YAML text', () => {
  const doc = (text: string) => parseDocument(text);
  const at = (text: string, range: [number, number] | undefined) => (range ? text.slice(range[0], range[1]) : undefined);

  it('finds the key and the value of a setting', () => {
    const text = 'search:\n  cycles: 12\n';
    const found = locate(doc(text), ['search', 'cycles']);
    assert.equal(found.found, true);
    assert.equal(at(text, found.key), 'cycles');
    assert.equal(at(text, found.value), '12');
    assert.equal(at(text, found.deepestKey), 'cycles');
  });

  it('points at the deepest key that exists when the rest of the path does not', () => {
    const text = 'search:\n  cycles: 12\n';
    const missing = locate(doc(text), ['search', 'epochs']);
    assert.deepEqual({ found: missing.found, key: missing.key, value: missing.value }, { found: false, key: undefined, value: undefined });
    assert.equal(at(text, missing.deepestKey), 'search');
    const past = locate(doc(text), ['search', 'cycles', 'x']);
    assert.equal(past.found, false);
    assert.equal(at(text, past.deepestKey), 'cycles');
  });

  it('follows list indices within the list only', () => {
    const text = 'sweep:\n  seeds: [4, 5]\n';
    assert.equal(at(text, locate(doc(text), ['sweep', 'seeds', 1]).value), '5');
    for (const beyond of [2, 'x']) {
      const found = locate(doc(text), ['sweep', 'seeds', beyond]);
      assert.equal(found.found, false, String(beyond));
      assert.equal(at(text, found.deepestKey), 'seeds');
    }
  });

  it('follows an alias to the anchored section', () => {
    const text = 'base: &b\n  cycles: 3\nsearch: *b\n';
    const found = locate(doc(text), ['search', 'cycles']);
    assert.equal(found.found, true);
    assert.equal(found.value?.[0], text.indexOf('3'));
  });

  it('points at the key of a value left empty, or of a key without a value', () => {
    const text = 'search:\n  cycles:\n';
    const found = locate(doc(text), ['search', 'cycles']);
    assert.equal(at(text, found.value), 'cycles');
    const flow = '{cycles}';
    assert.equal(at(flow, locate(doc(flow), ['cycles']).value), 'cycles');
  });

  it('finds no list item under a scalar', () => {
    const text = 'seed: 1\n';
    const found = locate(doc(text), ['seed', 0]);
    assert.equal(found.found, false);
    assert.equal(at(text, found.deepestKey), 'seed');
  });

  it('gives 0-based lines and columns, never an end before the start', () => {
    const lineCounter = new LineCounter();
    parseDocument('a: 1\nbb: 2\n', { lineCounter });
    assert.deepEqual(toRange(lineCounter, [6, 8]), { start: { line: 1, column: 1, offset: 6 }, end: { line: 1, column: 3, offset: 8 } });
    assert.deepEqual(toRange(lineCounter, [6, 2]).end, { line: 1, column: 1, offset: 6 });
  });
});
