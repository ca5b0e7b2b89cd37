// Recycles the output arrays of native kernels. A training step writes hundreds of
// activation-sized results; fresh arrays mean fresh pages that the OS must fault in and zero
// (several milliseconds per 4 MiB on a busy machine), which cost more than the kernels
// themselves. An array comes back here only when no tensor refers to it any more and it was
// never handed out to user code (see NativeBackend), so reuse cannot alias live data.
//
// The pool must hold what one step releases, or the arrays it drops are allocated afresh in the
// next step: a ResNet-20 step at batch 128 cycles about 670 MB. When it is full, the sizes used
// least recently go first, so a network that changed shape (a structural change in a search)
// does not leave the pool full of arrays nothing asks for any more; and sizes nobody took for a
// while (about a dozen training steps) are dropped even when it is not full, so memory follows
// the network's current shape instead of the largest it ever had.

/** Takes between sweeps for sizes not taken since the previous sweep (a ResNet-20 step takes ~1,400). */
export const DEFAULT_SWEEP_TAKES = 16_384;

/** Keeps released Float32Arrays by length, up to `limitBytes` in total. */
export class Float32BufferPool {
  /** Free arrays per length; Map order is the size classes' use order, least recent first. */
  private readonly free = new Map<number, Float32Array[]>();
  /** The take count at each length's last take. */
  private readonly lastTake = new Map<number, number>();
  private heldBytes = 0;
  private takes = 0;

  constructor(private readonly limitBytes: number, private readonly sweepTakes = DEFAULT_SWEEP_TAKES) {}

  /** An array of `length` elements with arbitrary contents (callers overwrite all of it). */
  take(length: number): Float32Array {
    this.takes += 1;
    this.lastTake.set(length, this.takes);
    if (this.takes % this.sweepTakes === 0) this.sweep();
    const list = this.touch(length);
    const reused = list?.pop();
    if (reused) {
      this.heldBytes -= reused.byteLength;
      return reused;
    }
    return new Float32Array(length);
  }

  give(array: Float32Array): void {
    if (array.byteLength === 0 || array.byteLength > this.limitBytes) return;
    const list = this.touch(array.length) ?? [];
    this.free.set(array.length, list);
    this.evictFor(array.byteLength, array.length);
    if (this.heldBytes + array.byteLength > this.limitBytes) return;
    list.push(array);
    this.heldBytes += array.byteLength;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  clear(): void {
    this.free.clear();
    this.lastTake.clear();
    this.heldBytes = 0;
  }

  /** Drops every size not taken during the last `sweepTakes` takes. */
  private sweep(): void {
    const since = this.takes - this.sweepTakes;
    for (const [length, list] of this.free) {
      if ((this.lastTake.get(length) ?? 0) > since) continue;
      for (const array of list) this.heldBytes -= array.byteLength;
      this.free.delete(length);
    }
    for (const [length, last] of this.lastTake) if (last <= since && !this.free.has(length)) this.lastTake.delete(length);
  }

  /** Marks `length` as just used (moves it to the end of the Map's order). */
  private touch(length: number): Float32Array[] | undefined {
    const list = this.free.get(length);
    if (list) {
      this.free.delete(length);
      this.free.set(length, list);
    }
    return list;
  }

  /** Drops arrays of the least recently used other sizes until `bytes` more fit. */
  private evictFor(bytes: number, keep: number): void {
    for (const [length, list] of this.free) {
      if (this.heldBytes + bytes <= this.limitBytes) return;
      if (length === keep) continue;
      while (list.length > 0 && this.heldBytes + bytes > this.limitBytes) {
        this.heldBytes -= list.pop()!.byteLength;
      }
      if (list.length === 0) this.free.delete(length);
    }
  }
}
