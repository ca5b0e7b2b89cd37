import * as assert from 'node:assert/strict';
import { groupByConfig, runDescription, runLabel, shortStartTime } from '../../../src/extension/views/runLabels';

describe('Runs view labels', () => {
  const now = new Date(2026, 11, 3, 18, 30);

  it('shows a start time as short as it can be read', () => {
    assert.equal(shortStartTime(new Date(2026, 11, 3, 9, 5).toISOString(), now), '09:05');
    assert.equal(shortStartTime(new Date(2026, 10, 28, 14, 0).toISOString(), now), 'Nov 28, 14:00');
    assert.equal(shortStartTime(new Date(2025, 0, 2, 7, 30).toISOString(), now), '2025-01-02 07:30');
  });

  it('labels a run with its config and start, falling back to the run id', () => {
    assert.equal(runLabel('tiny', { startedAt: new Date(2026, 11, 3, 18, 2).toISOString() }, 'tiny-20261203-180200-ab12', now), 'tiny · 18:02');
    assert.equal(runLabel('tiny', { startedAt: null }, 'tiny-20261203-180200-ab12', now), 'tiny · tiny-20261203-180200-ab12');
  });

  it('describes an ended run by state and result, a live one by its progress without the depth', () => {
    assert.equal(runDescription('finished', 'test 98.1% · depth 9 · 30.5 MFLOPs', null), 'finished · test 98.1% · depth 9 · 30.5 MFLOPs');
    assert.equal(runDescription('interrupted', '', null), 'interrupted');
    const live = runDescription('running', 'acc 95.1% · depth 7', { progress: 'Cycle 1 · train · epoch 2/3', accuracy: 0.951 });
    assert.equal(live, 'running · Cycle 1 · train · epoch 2/3 · acc 95.10 %');
    assert.doesNotMatch(live, /depth/);
  });

  it('groups runs by config in the order of each config\'s newest run', () => {
    const runs = [
      { id: 'a2', config: '/w/a.resbuilder.yaml' },
      { id: 'b1', config: '/w/b.resbuilder.yaml' },
      { id: 'a1', config: '/w/a.resbuilder.yaml' },
      { id: 'x', config: null },
    ];
    const groups = groupByConfig(runs, (r) => r.config);
    assert.deepEqual(groups.map((g) => [g.configPath, g.runs.map((r) => r.id)]), [
      ['/w/a.resbuilder.yaml', ['a2', 'a1']],
      ['/w/b.resbuilder.yaml', ['b1']],
      [null, ['x']],
    ]);
  });
});
