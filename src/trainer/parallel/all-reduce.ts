/**
 * A synchronous all-reduce (elementwise sum) over worker threads in shared memory.
 *
 * It blocks with Atomics.wait, so it can be called from inside synchronous TF.js code (a BN
 * layer's forward pass, a custom gradient) on each worker. Every replica writes its values into
 * its own slot, waits at a barrier until all have written, then sums the slots itself in rank
 * order: every replica gets bitwise the same sum, which keeps their weights identical.
 *
 * Two slot sets alternate between calls, so a single barrier per call is enough: a replica can
 * only write the set of call k again at call k + 2, after every replica has passed the barrier
 * of call k + 1 and so has finished reading call k's sums.
 */

const ARRIVED = 0;
const GENERATION = 1;
const ABORTED = 2;
const CONTROL_WORDS = 3;
const SETS = 2;

/** The shared buffers of one group of replicas; plain data, so it can be posted to workers. */
export interface AllReduceMemory {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
  /** Replicas in the group. */
  size: number;
  /** Most values one call can reduce. */
  capacity: number;
}

export function createAllReduceMemory(size: number, capacity: number): AllReduceMemory {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`all-reduce group size must be a positive integer, got ${size}`);
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`all-reduce capacity must be a positive integer, got ${capacity}`);
  return {
    control: new SharedArrayBuffer(CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT),
    data: new SharedArrayBuffer(SETS * size * capacity * Float64Array.BYTES_PER_ELEMENT),
    size,
    capacity,
  };
}

/** Thrown on the replicas still waiting when another one failed (or the group was shut down). */
export class AllReduceAborted extends Error {
  constructor() {
    super('the step was abandoned because another training worker failed');
    this.name = 'AllReduceAborted';
  }
}

/** Wakes every replica blocked in a call and makes it, and every later call, throw AllReduceAborted. */
export function abortAllReduce(memory: AllReduceMemory): void {
  const control = new Int32Array(memory.control);
  Atomics.store(control, ABORTED, 1);
  Atomics.notify(control, GENERATION);
}

/** One replica's end of the group. */
export class AllReduce {
  private readonly control: Int32Array;
  private readonly sets: Float64Array[];
  private calls = 0;
  /** Milliseconds spent waiting for the other replicas so far (load imbalance and hand-over cost). */
  waitedMs = 0;

  constructor(
    private readonly memory: AllReduceMemory,
    readonly rank: number,
  ) {
    if (!Number.isInteger(rank) || rank < 0 || rank >= memory.size) throw new RangeError(`rank ${rank} is outside the group of ${memory.size}`);
    this.control = new Int32Array(memory.control);
    const setLength = memory.size * memory.capacity;
    this.sets = Array.from({ length: SETS }, (_, i) => new Float64Array(memory.data, i * setLength * Float64Array.BYTES_PER_ELEMENT, setLength));
  }

  get size(): number {
    return this.memory.size;
  }

  /**
   * The elementwise sum of `values` over all replicas; every replica must call with the same
   * length. The sum goes into `out` when given (a buffer reused step after step spares the
   * garbage collector megabytes a step), else into a new array.
   */
  sum(values: Float64Array, out?: Float64Array): Float64Array {
    const { size, capacity } = this.memory;
    const n = values.length;
    if (n > capacity) throw new RangeError(`all-reduce of ${n} values exceeds the shared buffer's capacity of ${capacity}`);
    if (out && out.length !== n) throw new RangeError(`all-reduce of ${n} values into an output of ${out.length}`);
    const sum = out ?? new Float64Array(n);
    const slots = this.sets[this.calls++ % SETS];
    if (size === 1) {
      sum.set(values);
      return sum;
    }
    slots.set(values, this.rank * capacity);
    this.barrier();
    sum.set(slots.subarray(0, n));
    for (let r = 1; r < size; r++) {
      const slot = slots.subarray(r * capacity, r * capacity + n);
      for (let i = 0; i < n; i++) sum[i] += slot[i];
    }
    return sum;
  }

  private barrier(): void {
    const control = this.control;
    if (Atomics.load(control, ABORTED)) throw new AllReduceAborted();
    const generation = Atomics.load(control, GENERATION);
    if (Atomics.add(control, ARRIVED, 1) === this.memory.size - 1) {
      Atomics.store(control, ARRIVED, 0);
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
      return;
    }
    const started = performance.now();
    while (Atomics.load(control, GENERATION) === generation) {
      // abortAllReduce notifies too; the time limit only bounds a wake-up that was missed.
      Atomics.wait(control, GENERATION, generation, 1000);
      if (Atomics.load(control, ABORTED)) throw new AllReduceAborted();
    }
    this.waitedMs += performance.now() - started;
  }
}
