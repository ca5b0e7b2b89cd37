import { strict as assert } from 'node:assert';
import { describeDiagnostic, suggestionInMessage } from '../../../src/core/config/diagnostics';
import { closestMatch, editDistance } from '../../../src/core/config/suggest';

describe('config suggestions', () => {
  it('counts insertions, deletions, substitutions and neighbour swaps', () => {
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('abc', 'abc'), 0);
    assert.equal(editDistance('validationSplt', 'validationSplit'), 1);
    assert.equal(editDistance('cycels', 'cycles'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });

  it('suggests only plausible typos', () => {
    const keys = ['cycles', 'insertionsPerCycle', 'epochsPerTraining', 'finalEpochs'];
    assert.equal(closestMatch('cycels', keys), 'cycles');
    assert.equal(closestMatch('final_epochs', keys), 'finalEpochs');
    assert.equal(closestMatch('EpochsPerTraining', keys), 'epochsPerTraining');
    assert.equal(closestMatch('learningRate', keys), undefined);
    assert.equal(closestMatch('x', keys), undefined);
    assert.equal(closestMatch('anything', []), undefined);
  });
});

describe('config suggestions in messages', () => {
  it('reads back the suggestion describeDiagnostic writes, for the quick fix', () => {
    const at = { line: 0, column: 0, offset: 0 };
    const message = describeDiagnostic({ message: 'unknown key', path: ['dataset', 'validationSpilt'], severity: 'error', range: { start: at, end: at }, suggestion: 'validationSplit' });
    assert.equal(suggestionInMessage(message), 'validationSplit');
    assert.equal(suggestionInMessage('dataset.limit: expected a number'), undefined);
  });
});
