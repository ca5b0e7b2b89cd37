import * as assert from 'node:assert/strict';
import { gflops, measuredPeak, NATIVE_WINOGRAD, overPeakNotes, WASM_WINOGRAD, winogradFlops, workCount } from '../../../bench/lib/peak';
import { countFlops } from '../../../src/core/arch/cost';
import type { Architecture } from '../../../src/core/arch/types';
import { resnet20 } from '../../../src/core/arch/seeds';
import { spread } from '../../../src/core/stats';
import { resultRows } from '../../../bench/lib/report';
import type { EngineSummary } from '../../../bench/lib/rounds';

describe('bench:engine peak column', () => {
  it('counts training as three products per layer, minus the input gradient of the layer reading the image', () => {
    const arch = resnet20({ height: 32, width: 32, channels: 3 }, 10, 'standard');
    const w = workCount(arch);
    assert.equal(w.forward, countFlops(arch));
    // The stem: 3×3 conv, 3 → 16 channels on 32×32, 2 FLOPs per multiply-add.
    assert.equal(w.readingImage, 2 * 32 * 32 * 9 * 3 * 16);
    assert.equal(w.train, 3 * w.forward - w.readingImage);
  });

  it('also leaves out a shortcut projection taken from the image itself', () => {
    const arch: Architecture = {
      schemaVersion: 1,
      blockStyle: 'standard',
      input: { height: 8, width: 8, channels: 2 },
      numClasses: 2,
      layers: [
        { kind: 'conv', id: 'a', width: 4, kernel: 3, stride: 1, origin: 'seed' },
        { kind: 'conv', id: 'b', width: 4, kernel: 3, stride: 1, origin: 'seed' },
      ],
      skips: [{ id: 's', from: 'a', to: 'b' }],
    };
    const w = workCount(arch);
    const stem = 2 * 8 * 8 * 9 * 2 * 4;
    const projection = 2 * 8 * 8 * 2 * 4;
    assert.equal(w.readingImage, stem + projection);
    assert.equal(w.train, 3 * w.forward - stem - projection);
  });

  it('counts the native backend\'s Winograd convolutions (3×3, stride 1, 32 channels and more, 4×4 outputs and more) at Winograd\'s multiply-adds', () => {
    const arch: Architecture = {
      schemaVersion: 1,
      blockStyle: 'standard',
      input: { height: 7, width: 7, channels: 16 },
      numClasses: 2,
      layers: [
        { kind: 'conv', id: 'narrow', width: 32, kernel: 3, stride: 1, origin: 'seed' },
        { kind: 'conv', id: 'wide', width: 40, kernel: 3, stride: 1, origin: 'seed' },
        { kind: 'conv', id: 'strided', width: 48, kernel: 3, stride: 2, origin: 'seed' },
        { kind: 'conv', id: 'pointwise', width: 48, kernel: 1, stride: 1, origin: 'seed' },
        { kind: 'conv', id: 'shrink', width: 48, kernel: 1, stride: 2, origin: 'seed' },
        { kind: 'conv', id: 'tiny', width: 48, kernel: 3, stride: 1, origin: 'seed' },
      ],
      skips: [],
    };
    const direct = workCount(arch);
    const w = workCount(arch, NATIVE_WINOGRAD);
    // Only 'wide' reads and writes 32 channels or more with a 3×3 stride-1 filter and outputs a
    // 4×4 tile or more ('tiny' outputs 2×2 after two strides): 7×7 output positions make 2×2
    // tiles of 4×4, each 36 multiply-adds per channel pair.
    assert.equal(winogradFlops(NATIVE_WINOGRAD, 7, 7, 32, 40), 2 * 4 * 36 * 32 * 40);
    const wideDirect = 2 * 7 * 7 * 9 * 32 * 40;
    const saved = wideDirect - winogradFlops(NATIVE_WINOGRAD, 7, 7, 32, 40);
    assert.equal(w.forward, direct.forward - saved);
    // Training runs its forward, input and weight gradient as Winograd; the stem reads the image.
    assert.equal(w.train, direct.train - 3 * saved);
    // ResNet-20: the 16-channel stage and the strided convolutions stay direct.
    const resnet = resnet20({ height: 32, width: 32, channels: 3 }, 10, 'standard');
    const r = workCount(resnet), rw = workCount(resnet, NATIVE_WINOGRAD);
    assert.ok(rw.forward < r.forward && rw.forward > 0.5 * r.forward, `${rw.forward} of ${r.forward}`);
    assert.ok(rw.train < r.train && rw.train > 0.5 * r.train, `${rw.train} of ${r.train}`);
  });

  it('counts the wasm backend\'s F(2×2, 3×3) on every 3×3 stride-1 convolution of 8 channels and more, the image\'s stem excepted', () => {
    // 16 multiply-adds per 2×2 tile and channel pair; 7×7 outputs make 4×4 tiles.
    assert.equal(winogradFlops(WASM_WINOGRAD, 7, 7, 32, 40), 2 * 16 * 16 * 32 * 40);
    const resnet = resnet20({ height: 32, width: 32, channels: 3 }, 10, 'standard');
    const r = workCount(resnet), rw = workCount(resnet, WASM_WINOGRAD);
    // The stem reads 3 channels and stays direct; every other 3×3 stride-1 convolution does 4/9 of its direct work.
    const stem = 2 * 32 * 32 * 9 * 3 * 16;
    const strided = 2 * 16 * 16 * 9 * 16 * 32 + 2 * 8 * 8 * 9 * 32 * 64;
    const projections = 2 * 16 * 16 * 16 * 32 + 2 * 8 * 8 * 32 * 64;
    const dense = 2 * 64 * 10;
    const winograd = r.forward - stem - strided - projections - dense;
    assert.equal(rw.forward, stem + strided + projections + dense + (winograd * 4) / 9);
  });

  it('divides an engine\'s throughput by the work of the Winograd it ran in that mode', () => {
    const arch = resnet20({ height: 32, width: 32, channels: 3 }, 10, 'standard');
    const work = workCount(arch);
    const model = { id: 'resnet20', description: '', arch, forwardFlops: work.forward, work, params: 0, inputShape: [32, 32, 3] as [number, number, number] };
    const summary = (engine: string, mode: 'train' | 'infer'): EngineSummary =>
      ({ engine, model: 'resnet20', mode, imagesPerSecond: spread([100])!, cpuUse: 2, ratio: null, ratios: [], ratioPerCpuSecond: null });
    const summaries = ['native', 'wasm', 'pytorch'].flatMap((e) => [summary(e, 'train'), summary(e, 'infer')]);
    const peak = measuredPeak([{ source: 'pytorch', size: 1024, gflops: 100, threads: 2 }]);
    const winograd = new Map([['native', { train: NATIVE_WINOGRAD, infer: NATIVE_WINOGRAD }], ['wasm', { train: WASM_WINOGRAD }]]);
    // A mode without a rule (here wasm's evaluation) counts direct convolutions.
    const rows = resultRows([model], summaries, peak, new Map(), winograd);
    const fraction = (engine: string, mode: string): number | null | undefined => rows.find((r) => r.engine === engine && r.mode === mode)?.peakFraction;
    assert.equal(fraction('native', 'train'), gflops(100, workCount(arch, NATIVE_WINOGRAD).train) / 100);
    assert.equal(fraction('native', 'infer'), gflops(100, workCount(arch, NATIVE_WINOGRAD).forward) / 100);
    assert.equal(fraction('wasm', 'train'), gflops(100, workCount(arch, WASM_WINOGRAD).train) / 100);
    assert.equal(fraction('wasm', 'infer'), gflops(100, work.forward) / 100);
    assert.equal(fraction('pytorch', 'train'), gflops(100, work.train) / 100);
  });

  it('takes the best matmul measurement as the peak and ignores failed ones', () => {
    const peak = measuredPeak([
      { source: 'tfjs native', size: 1024, gflops: 120, threads: 2 },
      { source: 'pytorch', size: 1024, gflops: 140, threads: 2 },
      { source: 'tfjs native', size: 1024, gflops: Number.NaN, threads: 2 },
    ])!;
    assert.equal(peak.gflops, 140);
    assert.equal(peak.source, 'pytorch');
    assert.equal(peak.measurements.length, 3);
    assert.equal(measuredPeak([]), null);
    assert.equal(measuredPeak([{ source: 'x', size: 1, gflops: 0, threads: 1 }]), null);
  });

  it('turns images/s into GFLOP/s and explains, without capping, a figure above the peak', () => {
    assert.equal(gflops(1000, 3e8), 300);
    assert.deepEqual(overPeakNotes([]), []);
    const [note] = overPeakNotes([{ label: 'pytorch resnet20 infer', fraction: 1.34 }]);
    assert.match(note, /pytorch resnet20 infer 134 %/);
    assert.match(note, /Not capped/);
    assert.match(note, /Winograd/);
  });
});
