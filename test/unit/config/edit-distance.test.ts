/** The optimal-string-alignment distance behind config suggestions, and the number format of search reasons. */
import { strict as assert } from 'node:assert';
import { editDistance } from '../../../src/core/config/suggest';
import { formatNumber } from '../../../src/core/format';

describe('edit distance', () => {
  it('counts deletions down to the empty string', () => {
    assert.equal(editDistance('abc', ''), 3);
  });

  it('counts a swap of neighbours as one edit, and only of neighbours that match crosswise', () => {
    assert.equal(editDistance('ab', 'ba'), 1);
    assert.equal(editDistance('xab', 'xba'), 1);
    assert.equal(editDistance('abcd', 'badc'), 2);
    assert.equal(editDistance('ab', 'xy'), 2);
    // Optimal string alignment: a swapped pair is not edited again ("ca" → "ac" → "abc" is not 2).
    assert.equal(editDistance('ca', 'abc'), 3);
  });
});

describe('reason number format', () => {
  it('writes non-finite numbers as they are and switches to exponents from 100000 on', () => {
    assert.equal(formatNumber(Infinity), 'Infinity');
    assert.equal(formatNumber(Number.NaN), 'NaN');
    assert.equal(formatNumber(1e5), '1e+5');
    assert.equal(formatNumber(12345), '12350');
    assert.equal(formatNumber(0.000123456), '0.0001235');
  });
});
