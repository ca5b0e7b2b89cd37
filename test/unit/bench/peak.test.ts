import * as assert from 'node:assert/strict';
import { gflops, measuredPeak, overPeakNotes, workCount } from '../../../bench/lib/peak';
import { countFlops } from '../../../src/core/arch/cost';
import type { Architecture } from '../../../src/core/arch/types';
import { resnet20 } from '../../../src/core/arch/seeds';

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
