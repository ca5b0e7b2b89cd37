/** The did-you-mean limit: up to a third of the longer loose name may differ (at least one letter). */
import { strict as assert } from 'node:assert';
import { closestMatch, editDistance } from '../../../src/core/config/suggest';

describe('config suggestion distance limit', () => {
  it('suggests "schedule" at the limit (2 of 8 letters) and not one edit past it', () => {
    assert.equal(editDistance('shedul', 'schedule'), 2);
    assert.equal(closestMatch('shedul', ['schedule']), 'schedule');
    assert.equal(editDistance('sched', 'schedule'), 3);
    assert.equal(closestMatch('sched', ['schedule']), undefined);
  });

  it('does not suggest "schedule" for "shuffle", 4 edits away', () => {
    assert.equal(editDistance('shuffle', 'schedule'), 4);
    assert.equal(closestMatch('shuffle', ['schedule', 'seed', 'stepEvery']), undefined);
  });

  it('measures the limit on the longer name, after dropping case, "_", "-" and spaces', () => {
    // "validationSplit" has 15 letters: 5 edits allowed whichever side is longer.
    assert.equal(closestMatch('valid-ation_Spl', ['validationSplit']), 'validationSplit');
    assert.equal(closestMatch('validation', ['validationSplit']), 'validationSplit');
    assert.equal(closestMatch('valida', ['validationSplit']), undefined);
  });

  it('allows one edit for names shorter than three letters', () => {
    assert.equal(closestMatch('l2', ['l1']), 'l1');
    assert.equal(closestMatch('xy', ['l1']), undefined);
  });

  it('picks the closest of several candidates, the first one on a tie', () => {
    assert.equal(closestMatch('stepEvry', ['stepFactor', 'stepEvery']), 'stepEvery');
    assert.equal(closestMatch('ab', ['ac', 'ad']), 'ac');
  });
});
