import * as assert from 'node:assert/strict';
import { accuracyFlopsSvg } from '../../../src/trainer/sweep/plot';

describe('sweep report picture', () => {
  it('labels the accuracy axis with as many decimals as a narrow spread of seeds needs', async () => {
    // Three MNIST seeds 0.15 points apart: one decimal would print 98.2 and 98.3 on several ticks.
    const svg = await accuracyFlopsSvg([
      { task: 0, seed: 1, setting: '(config)', mflops: 41.4, accuracy: 98.2 },
      { task: 1, seed: 2, setting: '(config)', mflops: 23.2, accuracy: 98.35 },
      { task: 2, seed: 3, setting: '(config)', mflops: 25.8, accuracy: 98.3 },
    ], 'narrow');
    const ticks = [...svg.matchAll(/>(98\.\d+)</g)].map((m) => m[1]);
    assert.ok(ticks.length >= 3, `accuracy ticks: ${ticks.join(', ')}`);
    assert.equal(new Set(ticks).size, ticks.length, `repeated accuracy ticks: ${ticks.join(', ')}`);
  });
});
