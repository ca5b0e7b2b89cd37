// Recycles the output arrays of native kernels. A training step writes hundreds of
// activation-sized results; fresh arrays mean fresh pages that the OS must fault in and zero
// (several milliseconds per 4 MiB on a busy machine), which cost more than the kernels
// themselves. An array comes back here only when no tensor refers to it any more and it was
// never handed out to user code (see NativeBackend), so reuse cannot alias live data.

/** Keeps released Float32Arrays by length, up to `limitBytes` in total. */
export class Float32BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  private heldBytes = 0;

  constructor(private readonly limitBytes: number) {}

  /** An array of `length` elements with arbitrary contents (callers overwrite all of it). */
  take(length: number): Float32Array {
    const list = this.free.get(length);
    const reused = list?.pop();
    if (reused) {
      this.heldBytes -= reused.byteLength;
      return reused;
    }
    return new Float32Array(length);
  }

  give(array: Float32Array): void {
    if (array.byteLength === 0 || this.heldBytes + array.byteLength > this.limitBytes) return;
    const list = this.free.get(array.length) ?? [];
    list.push(array);
    this.free.set(array.length, list);
    this.heldBytes += array.byteLength;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  clear(): void {
    this.free.clear();
    this.heldBytes = 0;
  }
}
