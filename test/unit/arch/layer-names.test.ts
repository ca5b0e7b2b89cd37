/** TF.js layer names from graph ids (docs/algorithm.md, "Which weights carry over"). */
import assert from 'node:assert/strict';
import { tfLayerName } from '../../../src/core/arch/layer-names';

describe('TF.js layer names', () => {
  it('names the conv, pool and dense layer by its escaped graph id alone', () => {
    assert.equal(tfLayerName('s1b1.conv1', 'conv'), 's1b1.conv1');
    assert.equal(tfLayerName('pool_1', 'pool'), 'pool__1');
    assert.equal(tfLayerName('fc1000', 'dense'), 'fc1000');
  });

  it('appends every other role after one "_", doubling each "_" of the id so no two (id, role) pairs share a name', () => {
    assert.equal(tfLayerName('s1b1.conv1', 'bn'), 's1b1.conv1_bn');
    assert.equal(tfLayerName('s2b1', 'projbn'), 's2b1_projbn');
    assert.equal(tfLayerName('a_b_c', 'relu'), 'a__b__c_relu');
    assert.notEqual(tfLayerName('a_bn', 'conv'), tfLayerName('a', 'bn'));
  });
});
