/** How many epochs the final training runs: finalEpochs, raised to reach finalMinSteps. */
import { strict as assert } from 'node:assert';
import { finalTrainingEpochs } from '../../../src/core/train/final-training';

describe('final training length', () => {
  it('keeps finalEpochs when they already take finalMinSteps steps', () => {
    // The built-in MNIST at batch 128: 50 steps per epoch, 12 epochs = 600 steps.
    assert.equal(finalTrainingEpochs({ finalEpochs: 12, finalMinSteps: 600 }, 50), 12);
    assert.equal(finalTrainingEpochs({ finalEpochs: 12, finalMinSteps: 0 }, 1), 12);
  });

  it('raises the epochs to the fewest that reach finalMinSteps on a small dataset', () => {
    // 2,000 images at batch 128: 16 steps per epoch; 600 steps need 38 epochs (37 give 592).
    assert.equal(finalTrainingEpochs({ finalEpochs: 12, finalMinSteps: 600 }, 16), 38);
    assert.equal(finalTrainingEpochs({ finalEpochs: 1, finalMinSteps: 12 }, 5), 3);
    assert.equal(finalTrainingEpochs({ finalEpochs: 1, finalMinSteps: 10 }, 5), 2);
  });

  it('leaves a skipped final training skipped', () => {
    assert.equal(finalTrainingEpochs({ finalEpochs: 0, finalMinSteps: 4500 }, 16), 0);
  });

  it('refuses a step count that is not a positive whole number', () => {
    assert.throws(() => finalTrainingEpochs({ finalEpochs: 12, finalMinSteps: 4500 }, 0), /stepsPerEpoch must be a positive whole number, got 0/);
    assert.throws(() => finalTrainingEpochs({ finalEpochs: 12, finalMinSteps: 4500 }, 2.5), /got 2.5/);
  });
});
