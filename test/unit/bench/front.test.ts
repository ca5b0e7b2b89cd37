import * as assert from 'node:assert/strict';
import { frontAccuracyAt, marginOverFront, paretoFront } from '../../../bench/lib/front';
import { mean, meanSd, sampleSd } from '../../../src/core/stats';

describe('accuracy–FLOPs front', () => {
  const family = [
    { flops: 8e6, accuracy: 0.97 },
    { flops: 4e6, accuracy: 0.95 },
    { flops: 16e6, accuracy: 0.96 }, // dominated: dearer than 8e6 and worse
    { flops: 32e6, accuracy: 0.99 },
    { flops: 8e6, accuracy: 0.965 }, // same cost, worse
  ];

  it('keeps only the points no cheaper point beats, cheapest first', () => {
    assert.deepEqual(paretoFront(family), [
      { flops: 4e6, accuracy: 0.95 }, { flops: 8e6, accuracy: 0.97 }, { flops: 32e6, accuracy: 0.99 },
    ]);
  });

  it('interpolates linearly in log FLOPs between front points', () => {
    const front = paretoFront(family);
    // 16e6 is halfway between 8e6 and 32e6 in log scale.
    assert.ok(Math.abs(frontAccuracyAt(front, 16e6)! - 0.98) < 1e-12);
    assert.ok(Math.abs(frontAccuracyAt(front, Math.sqrt(4e6 * 8e6))! - 0.96) < 1e-12);
    assert.equal(frontAccuracyAt(front, 8e6), 0.97);
  });

  it('holds the best accuracy beyond the dearest point and has nothing below the cheapest', () => {
    const front = paretoFront(family);
    assert.equal(frontAccuracyAt(front, 1e9), 0.99);
    assert.equal(frontAccuracyAt(front, 1e6), null);
    assert.equal(frontAccuracyAt([], 1e6), null);
  });

  it('gives a found network its margin over the front at its own cost', () => {
    const front = paretoFront(family);
    assert.ok(Math.abs(marginOverFront(front, { flops: 16e6, accuracy: 0.985 })! - 0.005) < 1e-12);
    assert.ok(Math.abs(marginOverFront(front, { flops: 16e6, accuracy: 0.975 })! + 0.005) < 1e-12);
    assert.equal(marginOverFront(front, { flops: 1e6, accuracy: 0.9 }), null);
  });

  it('computes the mean and the sample standard deviation', () => {
    assert.equal(mean([1, 2, 3]), 2);
    assert.equal(sampleSd([1, 2, 3]), 1);
    assert.equal(sampleSd([5]), 0);
    assert.throws(() => mean([]));
    assert.deepEqual(meanSd([1, 2, 3]), { mean: 2, sd: 1, n: 3 });
    assert.equal(meanSd([]), null);
  });
});
