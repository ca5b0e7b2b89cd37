/** The one number format for people (docs/run-stream.md, "Formats"): its boundaries and signs. */
import { strict as assert } from 'node:assert';
import { formatCount, formatDuration, formatFlops, formatNumber, formatParams, formatPercent } from '../../../src/core/format';

describe('number format for people', () => {
  it('switches to the next prefix at exactly 1000 of a unit, for negative values too', () => {
    assert.equal(formatCount(999), '999');
    assert.equal(formatCount(1000), '1.00 k');
    assert.equal(formatCount(-45_600), '-45.6 k');
    assert.equal(formatCount(2.5e9), '2.50 G');
    assert.equal(formatCount(1e12), '1.00 T');
  });

  it('rounds a count below 1000 to a whole number and writes non-finite counts as they are', () => {
    assert.equal(formatCount(12.6), '13');
    assert.equal(formatCount(Infinity), 'Infinity');
    assert.equal(formatCount(Number.NaN), 'NaN');
  });

  it('joins FLOPs to a prefix and spaces it from a bare number', () => {
    assert.equal(formatFlops(30_500_000), '30.5 MFLOPs');
    assert.equal(formatFlops(950), '950 FLOPs');
    assert.equal(formatParams(272_474), '272 k params');
  });

  it('writes a fraction as a percentage with two decimals', () => {
    assert.equal(formatPercent(0.98846), '98.85 %');
    assert.equal(formatPercent(0), '0.00 %');
  });

  it('writes durations in seconds below a minute, minutes below an hour, hours above', () => {
    assert.equal(formatDuration(0), '0 s');
    assert.equal(formatDuration(42.4), '42 s');
    assert.equal(formatDuration(59), '59 s');
    assert.equal(formatDuration(59.6), '1 min 00 s');
    assert.equal(formatDuration(60), '1 min 00 s');
    assert.equal(formatDuration(185), '3 min 05 s');
    assert.equal(formatDuration(3599), '59 min 59 s');
    assert.equal(formatDuration(3600), '1 h 00 min');
    assert.equal(formatDuration(3720), '1 h 02 min');
  });

  it('writes an unknown duration (negative, infinite, NaN) as a dash', () => {
    assert.equal(formatDuration(-1), '–');
    assert.equal(formatDuration(Infinity), '–');
    assert.equal(formatDuration(Number.NaN), '–');
  });

  it('writes a measurement with four significant digits, and an exponent without trailing zeros from 100000 on', () => {
    assert.equal(formatNumber(0.916), '0.916');
    assert.equal(formatNumber(99_990), '99990');
    assert.equal(formatNumber(1e5), '1e+5');
    assert.equal(formatNumber(2.5e8), '2.5e+8');
    assert.equal(formatNumber(-123_456), '-1.235e+5');
    assert.equal(formatNumber(-Infinity), '-Infinity');
  });
});
