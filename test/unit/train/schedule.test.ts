/** learningRateAt: the rate of each 0-based epoch of a phase under each schedule. */
import assert from 'node:assert/strict';
import { learningRateAt } from '../../../src/core/train/schedule';

const close = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) < 1e-12 * Math.max(1, Math.abs(expected)), `${actual} ≠ ${expected}`);

describe('learning-rate schedules', () => {
  const base = { learningRate: 0.1, stepEvery: 3, stepFactor: 0.5 };

  it('constant: the base rate in every epoch', () => {
    for (const epoch of [0, 1, 7, 19]) assert.equal(learningRateAt({ ...base, schedule: 'constant' }, epoch, 20), 0.1);
  });

  it('step: multiplies by stepFactor at epochs stepEvery, 2·stepEvery, … and not one epoch earlier', () => {
    const step = { ...base, schedule: 'step' as const };
    const rates = Array.from({ length: 10 }, (_, epoch) => learningRateAt(step, epoch, 10));
    const expected = [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125];
    rates.forEach((r, i) => close(r, expected[i]));
  });

  it('step: stepEvery below 1 steps every epoch', () => {
    const step = { ...base, schedule: 'step' as const, stepEvery: 0 };
    close(learningRateAt(step, 0, 5), 0.1);
    close(learningRateAt(step, 2, 5), 0.025);
  });

  it('cosine: the base rate at the first epoch, half of it midway, falling towards 0', () => {
    const cosine = { ...base, schedule: 'cosine' as const };
    close(learningRateAt(cosine, 0, 10), 0.1);
    close(learningRateAt(cosine, 5, 10), 0.05);
    close(learningRateAt(cosine, 9, 10), 0.05 * (1 + Math.cos((Math.PI * 9) / 10)));
    assert.ok(learningRateAt(cosine, 9, 10) > 0);
    assert.equal(learningRateAt(cosine, 0, 1), 0.1);
  });
});
