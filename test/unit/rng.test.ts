import assert from 'node:assert/strict';
import { createRngs, restoreRngs, Rng, RNG_STREAMS, rngStates } from '../../src/core/rng';

/** xoshiro128** written independently with BigInt arithmetic, to check the uint32 fast path. */
function referenceXoshiro(state: number[], count: number): number[] {
  const M = (1n << 32n) - 1n;
  const s = state.map((w) => BigInt(w));
  const rotl = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (32n - k))) & M;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(Number((rotl((s[1] * 5n) & M, 7n) * 9n) & M));
    const t = (s[1] << 9n) & M;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11n);
  }
  return out;
}

/**
 * The starting state written independently from the description in src/core/rng.ts, with BigInt
 * arithmetic: FNV-1a over the stream name's UTF-16 code units, the name's length, then the high
 * and the low 32 bits of the seed's float64, each avalanched by splitmix32's mix, and four words
 * from splitmix32 stepping by the golden ratio.
 */
function referenceState(seed: number, stream: string): number[] {
  const M = (1n << 32n) - 1n;
  const GOLDEN = 0x9e3779b9n;
  const mul = (a: bigint, b: bigint) => (a * b) & M;
  const mix = (z: bigint) => {
    z = mul(z ^ (z >> 16n), 0x85ebca6bn);
    z = mul(z ^ (z >> 13n), 0xc2b2ae35n);
    return z ^ (z >> 16n);
  };
  let h = 0x811c9dc5n;
  for (let i = 0; i < stream.length; i++) h = mul(h ^ BigInt(stream.charCodeAt(i)), 0x01000193n);
  h = mix(h ^ BigInt(stream.length));
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, seed);
  const bits = view.getBigUint64(0);
  h = mix(h ^ (bits >> 32n));
  h = mix(((h + GOLDEN) & M) ^ (bits & M));
  const state: number[] = [];
  for (let k = 0; k < 4; k++) {
    h = (h + GOLDEN) & M;
    state.push(Number(mix(h)));
  }
  return state;
}

function draws(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.uint32());
}

describe('Rng', () => {
  it('implements xoshiro128** exactly', () => {
    const rng = new Rng(7, 'shuffle');
    const state = rng.getState();
    assert.deepEqual(draws(rng, 200), referenceXoshiro(state, 200));
    rng.setState([1, 2, 3, 4]);
    assert.deepEqual(draws(rng, 50), referenceXoshiro([1, 2, 3, 4], 50));
  });

  it('starts from the state the seed and the stream name hash to', () => {
    for (const [seed, stream] of [[42, 'split'], [0, ''], [-1.5, 'é名'], [2 ** 40 + 3, 'augmentation'], [7, 'abc'], [7, 'abd']] as const) {
      assert.deepEqual(new Rng(seed, stream).getState(), referenceState(seed, stream), `${seed} ${stream}`);
    }
  });

  it('gives unrelated sequences for stream names of the same length', () => {
    const a = draws(new Rng(1, 'abc'), 100);
    const b = draws(new Rng(1, 'abd'), 100);
    assert.ok(a.filter((v, i) => v === b[i]).length <= 1);
  });

  it('gives the same sequence for the same seed and stream', () => {
    assert.deepEqual(draws(new Rng(42, 'split'), 100), draws(new Rng(42, 'split'), 100));
    const a = new Rng(3, 'x');
    const b = new Rng(3, 'x');
    assert.deepEqual(Array.from(a.permutation(50)), Array.from(b.permutation(50)));
  });

  it('gives unrelated sequences for other streams and other seeds', () => {
    const base = draws(new Rng(42, 'split'), 1000);
    for (const other of [new Rng(42, 'shuffle'), new Rng(43, 'split'), new Rng(-42, 'split'), new Rng(42, 'splits'), new Rng(42.5, 'split')]) {
      const seq = draws(other, 1000);
      const same = seq.filter((v, i) => v === base[i]).length;
      assert.ok(same <= 1, `streams coincide in ${same} places`);
      // Correlation of the uniform outputs should be near zero for independent streams.
      const x = base.map((v) => v / 2 ** 32 - 0.5);
      const y = seq.map((v) => v / 2 ** 32 - 0.5);
      const r = x.reduce((acc, xi, i) => acc + xi * y[i], 0) / Math.sqrt(x.reduce((a, v) => a + v * v, 0) * y.reduce((a, v) => a + v * v, 0));
      assert.ok(Math.abs(r) < 0.15, `correlation ${r}`);
    }
  });

  it('continues the same sequence after a state save and restore', () => {
    const rng = new Rng(11, 'augmentation');
    draws(rng, 37);
    const saved = rng.getState();
    const expected = [...draws(rng, 20), rng.next(), rng.int(17), Array.from(rng.permutation(9))];
    const resumed = new Rng(999, 'other');
    resumed.setState(JSON.parse(JSON.stringify(saved)) as number[]);
    assert.deepEqual([...draws(resumed, 20), resumed.next(), resumed.int(17), Array.from(resumed.permutation(9))], expected);
  });

  it('rejects malformed states', () => {
    const rng = new Rng(1, 'a');
    assert.throws(() => rng.setState([1, 2, 3, -1]), /four uint32 words, got \[1,2,3,-1\]/);
    assert.throws(() => rng.setState([1, 2, 3, 1.5]), /four uint32/);
    // A zero word is fine as long as not all four are zero.
    rng.setState([0, 1, 0, 0]);
    assert.deepEqual(rng.getState(), [0, 1, 0, 0]);
    assert.throws(() => rng.setState([1, 2, 3]), /four uint32/);
    assert.throws(() => rng.setState([1, 2, 3, 2 ** 32]), /four uint32/);
    assert.throws(() => rng.setState([0, 0, 0, 0]), /all zeros/);
  });

  it('is roughly uniform: next() in [0,1), int(n) and permutation cover their ranges evenly', () => {
    const rng = new Rng(5, 'uniformity');
    const bins = new Array<number>(10).fill(0);
    const n = 100_000;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      assert.ok(u >= 0 && u < 1);
      sum += u;
      bins[Math.floor(u * 10)]++;
    }
    assert.ok(Math.abs(sum / n - 0.5) < 0.01);
    // Chi-square with 9 degrees of freedom: 27.9 is the 0.999 quantile.
    const chi = bins.reduce((a, b) => a + (b - n / 10) ** 2 / (n / 10), 0);
    assert.ok(chi < 27.9, `chi-square ${chi}`);

    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[rng.int(7)]++;
    const chi7 = counts.reduce((a, b) => a + (b - 10_000) ** 2 / 10_000, 0);
    assert.ok(chi7 < 22.5, `chi-square ${chi7}`); // 6 dof, 0.999 quantile

    // Each element lands in each position about equally often.
    const pos = new Array<number>(5).fill(0);
    for (let i = 0; i < 20_000; i++) pos[rng.permutation(5).indexOf(0)]++;
    for (const c of pos) assert.ok(Math.abs(c - 4000) < 300, `position count ${c}`);
  });

  it('shuffle keeps the elements and int rejects bad bounds', () => {
    const rng = new Rng(9, 's');
    const a = Array.from({ length: 100 }, (_, i) => i);
    rng.shuffle(a);
    assert.deepEqual([...a].sort((p, q) => p - q), Array.from({ length: 100 }, (_, i) => i));
    assert.notDeepEqual(a, Array.from({ length: 100 }, (_, i) => i));
    assert.throws(() => rng.int(0), RangeError);
    assert.throws(() => rng.int(2.5), RangeError);
    assert.throws(() => new Rng(Number.NaN, 's'), /^RangeError: Rng seed must be a finite number, got NaN$/);
  });

  it('int takes every bound from 1 to 2^32 and nothing beyond', () => {
    const rng = new Rng(4, 'bounds');
    assert.equal(rng.int(1), 0);
    const big = rng.int(2 ** 32);
    assert.ok(Number.isInteger(big) && big >= 0 && big < 2 ** 32);
    assert.throws(() => rng.int(2 ** 32 + 1), /^RangeError: Rng\.int needs an integer in \[1, 2\^32\], got 4294967297$/);
  });

  it('int has no modulo bias where 2^32 is not a multiple of n', () => {
    // For n = 3 · 2^30, a plain u % n would put half of all draws below 2^30 instead of a third.
    const rng = new Rng(8, 'bias');
    const n = 3 * 2 ** 30;
    let low = 0;
    const count = 6000;
    for (let i = 0; i < count; i++) if (rng.int(n) < 2 ** 30) low++;
    assert.ok(Math.abs(low / count - 1 / 3) < 0.03, `share below 2^30: ${low / count}`);
  });

  it('shuffle and permutation draw one number per position but the first, as Fisher–Yates does', () => {
    const rng = new Rng(12, 'fy');
    const twin = new Rng(12, 'fy');
    const a = ['a', 'b', 'c', 'd', 'e'];
    rng.shuffle(a);
    const b = ['a', 'b', 'c', 'd', 'e'];
    for (let i = b.length - 1; i > 0; i--) {
      const j = twin.int(i + 1);
      [b[i], b[j]] = [b[j], b[i]];
    }
    assert.deepEqual(a, b);
    assert.deepEqual(rng.getState(), twin.getState());
    const p = Array.from(rng.permutation(6));
    const q = [0, 1, 2, 3, 4, 5];
    for (let i = q.length - 1; i > 0; i--) {
      const j = twin.int(i + 1);
      [q[i], q[j]] = [q[j], q[i]];
    }
    assert.deepEqual(p, q);
    assert.deepEqual(rng.getState(), twin.getState());
  });

  it('normal() has mean 0 and variance 1', () => {
    const rng = new Rng(1, 'init');
    const n = 50_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = rng.normal();
      s += v;
      s2 += v * v;
    }
    assert.ok(Math.abs(s / n) < 0.03);
    assert.ok(Math.abs(s2 / n - 1) < 0.05);
  });

  it('creates every project stream from one seed and restores them all from a checkpoint', () => {
    const rngs = createRngs(42);
    assert.deepEqual(Object.keys(rngs).sort(), [...RNG_STREAMS].sort());
    assert.deepEqual(draws(rngs.split, 5), draws(new Rng(42, 'split'), 5));
    for (const name of RNG_STREAMS) draws(rngs[name], 3);
    const saved = JSON.parse(JSON.stringify(rngStates(rngs))) as Record<string, number[]>;
    const expected = RNG_STREAMS.map((name) => draws(rngs[name], 4));
    const resumed = createRngs(42);
    restoreRngs(resumed, saved);
    assert.deepEqual(RNG_STREAMS.map((name) => draws(resumed[name], 4)), expected);
    const { init: _dropped, ...partial } = saved;
    assert.throws(() => restoreRngs(createRngs(1), partial), /no state for the 'init' random stream/);
  });
});
