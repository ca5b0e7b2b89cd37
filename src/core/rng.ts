/**
 * The project's seeded random numbers (docs/algorithm.md, "Seeds and determinism"): one config seed drives separate,
 * independent streams (insertions, split, shuffling, augmentation, initialisation), and every
 * stream's state is four numbers that a checkpoint stores, so a resumed run draws exactly the
 * numbers the uninterrupted run would have drawn.
 *
 * Generator: xoshiro128** (Blackman and Vigna) over four uint32 words; the words are filled by
 * splitmix32 from a 32-bit hash of (seed, stream name). Pure TypeScript, no dependencies.
 */

/** Stream names used across the project; any other string also works. */
export const RNG_STREAMS = ['insertions', 'split', 'shuffle', 'augmentation', 'init'] as const;

const TWO_POW_32 = 4294967296;

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed: number, stream: string) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng seed must be a finite number, got ${seed}`);
    let h = hashSeedAndStream(seed, stream);
    const next = (): number => {
      h = (h + 0x9e3779b9) | 0;
      return splitmix32Mix(h);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    // The all-zero state is the one fixed point of xoshiro; splitmix32 cannot realistically
    // produce it, but guard so that no seed ever yields a constant stream.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next raw 32-bit output as an unsigned integer in [0, 2^32). */
  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.uint32() / TWO_POW_32;
  }

  /** Uniform integer in [0, n), without modulo bias; n must be an integer in [1, 2^32]. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) throw new RangeError(`Rng.int needs an integer in [1, 2^32], got ${n}`);
    // Reject the top partial block of 2^32 so every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const u = this.uint32();
      if (u < limit) return u % n;
    }
  }

  /** A standard normal sample (Box–Muller, no cached second value so the state stays four words). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(a: T[]): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
  }

  /** A uniformly random permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
  }

  /** The generator's state: four uint32 words, safe to put in JSON. */
  getState(): number[] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /** Continue from a state saved with getState(). */
  setState(s: number[]): void {
    if (!Array.isArray(s) || s.length !== 4 || !s.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32)) {
      throw new RangeError(`Rng state must be four uint32 words, got ${JSON.stringify(s)}`);
    }
    if (s.every((w) => w === 0)) throw new RangeError('Rng state must not be all zeros (xoshiro would only return zeros)');
    this.s0 = s[0] | 0;
    this.s1 = s[1] | 0;
    this.s2 = s[2] | 0;
    this.s3 = s[3] | 0;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** splitmix32's output function: a strong 32-bit avalanche mix. */
function splitmix32Mix(z: number): number {
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}

/**
 * FNV-1a over the stream name's UTF-16 code units, then both 32-bit halves of the seed (so any
 * safe integer, negative or fractional seed gives its own streams), each step avalanched so that
 * nearby seeds or names that differ in one letter give unrelated states.
 */
function hashSeedAndStream(seed: number, stream: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) {
    h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193);
  }
  h = splitmix32Mix(h ^ stream.length);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, seed);
  h = splitmix32Mix(h ^ view.getInt32(0));
  h = splitmix32Mix((h + 0x9e3779b9) ^ view.getInt32(4));
  return h;
}

export type RngStreamName = (typeof RNG_STREAMS)[number];
/** One Rng per project stream, all from the config seed. */
export type RngSet = Record<RngStreamName, Rng>;

export function createRngs(seed: number): RngSet {
  return Object.fromEntries(RNG_STREAMS.map((name) => [name, new Rng(seed, name)])) as RngSet;
}

/** Every stream's state, for a checkpoint (plain JSON). */
export function rngStates(rngs: RngSet): Record<RngStreamName, number[]> {
  return Object.fromEntries(RNG_STREAMS.map((name) => [name, rngs[name].getState()])) as Record<RngStreamName, number[]>;
}

/** Restores states saved with rngStates(); a missing stream is an error naming it. */
export function restoreRngs(rngs: RngSet, states: Partial<Record<string, number[]>>): void {
  for (const name of RNG_STREAMS) {
    const state = states[name];
    if (!state) throw new RangeError(`the checkpoint has no state for the '${name}' random stream`);
    rngs[name].setState(state);
  }
}
