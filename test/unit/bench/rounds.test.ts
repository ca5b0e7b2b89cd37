import * as assert from 'node:assert/strict';
import { chooseLayout, layoutProbeSchedule, PYTORCH, roundSchedule, summarizeRounds, type MeasuredRound, type TfjsEngine } from '../../../bench/lib/rounds';
import { median, quantile, spread } from '../../../src/core/stats';

const engines: TfjsEngine[] = [
  { id: 'native', modes: ['train', 'infer'] },
  { id: 'wasm', modes: ['train', 'infer'] },
  { id: 'wasm-2workers', modes: ['train'] },
];

describe('bench:engine rounds', () => {
  describe('median and spread', () => {
    it('interpolates quartiles between the sorted values and takes the middle of an even count', () => {
      assert.equal(median([3, 1, 2]), 2);
      assert.equal(median([4, 1, 3, 2]), 2.5);
      assert.equal(quantile([10, 20, 30, 40, 50], 0.25), 20);
      assert.equal(quantile([1, 2], 0.25), 1.25);
    });

    it('gives range, quartiles and the range relative to the median', () => {
      const s = spread([1.2, 0.9, 1.0, 1.1, 1.0])!;
      assert.equal(s.median, 1.0);
      assert.equal(s.min, 0.9);
      assert.equal(s.max, 1.2);
      assert.equal(s.q1, 1.0);
      assert.equal(s.q3, 1.1);
      assert.equal(s.n, 5);
      assert.ok(Math.abs(s.relativeRange - 0.3) < 1e-12);
    });

    it('has nothing to say about no values, and refuses a quantile outside 0–1', () => {
      assert.equal(spread([]), null);
      assert.throws(() => median([]), /no values/);
      assert.throws(() => quantile([1], 1.5), /from 0 to 1/);
    });
  });

  describe('schedule', () => {
    const plan = roundSchedule(['resnet20', 'small28'], engines, 5);

    it('alternates TF.js and PyTorch, starting and ending each model and mode with PyTorch', () => {
      for (const model of ['resnet20', 'small28']) {
        for (const mode of ['train', 'infer'] as const) {
          const group = plan.filter((r) => r.model === model && r.mode === mode);
          assert.equal(group[0].engine, PYTORCH);
          assert.equal(group.at(-1)!.engine, PYTORCH);
          group.forEach((r, i) => assert.equal(r.engine === PYTORCH, i % 2 === 0, `${model} ${mode} position ${i}: ${r.engine}`));
        }
      }
    });

    it('gives every engine the asked number of rounds, and wasm-2workers no inference rounds', () => {
      const count = (engine: string, mode: string): number => plan.filter((r) => r.engine === engine && r.mode === mode && r.model === 'resnet20').length;
      assert.equal(count('native', 'train'), 5);
      assert.equal(count('wasm-2workers', 'train'), 5);
      assert.equal(count('wasm-2workers', 'infer'), 0);
      assert.equal(count(PYTORCH, 'train'), 3 * 5 + 1);
      assert.equal(count(PYTORCH, 'infer'), 2 * 5 + 1);
    });

    it('rotates the TF.js engines so none always comes first', () => {
      const firsts = [0, 1, 2].map((round) => plan.find((r) => r.model === 'resnet20' && r.mode === 'train' && r.round === round && r.engine !== PYTORCH)!.engine);
      assert.deepEqual(firsts, ['native', 'wasm', 'wasm-2workers']);
    });

    it('refuses a round count that is not a whole number of at least one', () => {
      assert.throws(() => roundSchedule(['m'], engines, 0), /BENCH_ROUNDS/);
      assert.throws(() => roundSchedule(['m'], engines, 2.5), /BENCH_ROUNDS/);
    });

    it('probes the two layouts alternately, the order flipping each round', () => {
      const probe = layoutProbeSchedule(['m'], 2).filter((r) => r.mode === 'train');
      assert.deepEqual(probe.map((r) => r.layout), ['channels_last', 'contiguous', 'contiguous', 'channels_last']);
    });
  });

  describe('layout choice', () => {
    it('takes the layout with the higher median, so one lucky round does not decide', () => {
      const trials = [
        { layout: 'channels_last' as const, imagesPerSecond: 900 },
        { layout: 'channels_last' as const, imagesPerSecond: 400 },
        { layout: 'channels_last' as const, imagesPerSecond: 410 },
        { layout: 'contiguous' as const, imagesPerSecond: 500 },
        { layout: 'contiguous' as const, imagesPerSecond: 480 },
        { layout: 'contiguous' as const, imagesPerSecond: 490 },
      ];
      assert.equal(chooseLayout(trials), 'contiguous');
      assert.equal(chooseLayout(trials.map((t) => ({ ...t, layout: t.layout === 'contiguous' ? 'channels_last' as const : 'contiguous' as const }))), 'channels_last');
    });

    it('keeps PyTorch\'s default on a tie and needs at least one trial', () => {
      assert.equal(chooseLayout([{ layout: 'channels_last', imagesPerSecond: 5 }, { layout: 'contiguous', imagesPerSecond: 5 }]), 'contiguous');
      assert.throws(() => chooseLayout([]), /no probe rounds/);
    });
  });

  describe('summary', () => {
    it('divides by the CPU each side got for the per-CPU-second ratio', () => {
      const rounds = [at(PYTORCH, 100), { ...at('native', 50), cpuUse: 0.5 }, { ...at(PYTORCH, 100, 1), cpuUse: 2 }];
      const native = summarizeRounds(rounds).find((s) => s.engine === 'native')!;
      // Wall: 50 / 100. Per CPU-second: 100 / mean(100, 50).
      assert.equal(native.ratio!.median, 0.5);
      assert.ok(Math.abs(native.ratioPerCpuSecond!.median - 100 / 75) < 1e-12);
    });

    const at = (engine: string, imagesPerSecond: number, round = 0): MeasuredRound => ({ engine, model: 'm', mode: 'train', round, imagesPerSecond, cpuUse: 1 });

    it('divides each TF.js round by the mean of the PyTorch rounds around it', () => {
      const rounds = [at(PYTORCH, 100), at('native', 150), at(PYTORCH, 200, 1), at('native', 300, 1), at(PYTORCH, 100, 2)];
      const native = summarizeRounds(rounds).find((s) => s.engine === 'native')!;
      assert.deepEqual(native.ratios, [1, 2]);
      assert.equal(native.ratio!.median, 1.5);
      // Every process used one CPU-second per second here, so the CPU-second ratio is the same.
      assert.equal(native.ratioPerCpuSecond!.median, 1.5);
      assert.equal(native.imagesPerSecond.median, 225);
      const torch = summarizeRounds(rounds).find((s) => s.engine === PYTORCH)!;
      assert.equal(torch.ratio, null);
      assert.equal(torch.imagesPerSecond.median, 100);
    });

    it('leaves the layout probe out and never pairs a round with PyTorch of another model or mode', () => {
      const rounds: MeasuredRound[] = [
        { ...at(PYTORCH, 1000), layout: 'contiguous' },
        at('native', 100),
        at(PYTORCH, 50),
        { ...at(PYTORCH, 10), mode: 'infer' },
      ];
      const native = summarizeRounds(rounds).find((s) => s.engine === 'native')!;
      assert.deepEqual(native.ratios, [2]);
      assert.equal(summarizeRounds(rounds).find((s) => s.engine === PYTORCH && s.mode === 'train')!.imagesPerSecond.n, 1);
    });
  });
});
