/** Means and sample spreads of repeated measurements. */
import { strict as assert } from 'node:assert';
import { mean, meanSd, sampleSd } from '../../../src/core/stats';

describe('stats of repeated measurements', () => {
  it('averages the values and refuses an empty list', () => {
    assert.equal(mean([1, 2, 6]), 3);
    assert.throws(() => mean([]), /mean of no values/);
  });

  it('divides the squared deviations by n − 1, and is 0 for fewer than two values', () => {
    assert.equal(sampleSd([1, 3]), Math.SQRT2);
    assert.equal(sampleSd([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7));
    assert.equal(sampleSd([5]), 0);
    assert.equal(sampleSd([]), 0);
  });

  it('gives mean, sample SD and count together, and null for no values', () => {
    assert.deepEqual(meanSd([1, 3]), { mean: 2, sd: Math.SQRT2, n: 2 });
    assert.equal(meanSd([]), null);
  });
});
