/**
 * The optimizer update of a data-parallel worker, on flat float32 arrays in plain JavaScript:
 * the rules of TF.js's Adam and SGD with momentum, and their state in the format
 * saveOptimizerState gives (optimizer.ts), so checkpoints of workers and of the training thread
 * are interchangeable.
 *
 * Why not TF.js's optimizer: a worker holds the step's summed gradient in one flat array
 * already, and on the wasm backend TF.js's Adam runs about ten kernels per variable (some 650 a
 * ResNet-20 step, each with its JavaScript overhead). Two busy workers spent 9–17 ms a step in
 * it, on top of a step that must halve; one pass over the flat arrays takes about a millisecond.
 */
import type { TrainingConfig } from '../../core/config/types';
import { ADAM_BETA1, ADAM_BETA2, adamScales, adamUpdate, nextAdamPowers } from '../../core/train/adam';
import type { NamedArray } from '../run/tensor-bundle';
import { adamPowerName, isAdamPower } from './optimizer';

/** One variable's place in the flat arrays. */
export interface FlatSegment {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

export interface FlatOptimizer {
  /**
   * One update of `params` in place from `grads` (the same layout). Segments whose entry in
   * `present` is false have no gradient this step and are left alone, slots included, as TF.js
   * leaves a variable without a gradient alone.
   */
  step(params: Float32Array, grads: Float32Array, learningRate: number, present?: readonly boolean[]): void;
  /** The state as saveOptimizerState gives it for the same variables. */
  state(): NamedArray[];
  /** Continues from a state saveOptimizerState (or state()) gave; throws if it does not fit. */
  restore(state: NamedArray[]): void;
}

export function segmentsOf(variables: readonly { name: string; shape: readonly number[] }[]): FlatSegment[] {
  let offset = 0;
  return variables.map((v) => {
    const size = v.shape.reduce((a, b) => a * b, 1);
    const segment = { name: v.name, shape: v.shape.slice(), offset, size };
    offset += size;
    return segment;
  });
}

export function flatLength(segments: readonly FlatSegment[]): number {
  const last = segments[segments.length - 1];
  return last ? last.offset + last.size : 0;
}

export function createFlatOptimizer(training: Pick<TrainingConfig, 'optimizer' | 'momentum'>, segments: readonly FlatSegment[]): FlatOptimizer {
  return training.optimizer === 'adam' ? new FlatAdam(segments) : new FlatMomentum(segments, training.momentum);
}

function iterationsArray(iterations: number): NamedArray {
  return { name: 'iter', shape: [], dtype: 'int32', data: Int32Array.of(iterations) };
}

function slotArray(name: string, segment: FlatSegment, values: Float32Array): NamedArray {
  return { name, shape: segment.shape.slice(), dtype: 'float32', data: values.slice(segment.offset, segment.offset + segment.size) };
}

/** Copies the saved slot arrays, in variable order, into `into`; throws naming what does not fit. */
function restoreSlots(saved: NamedArray[], segments: readonly FlatSegment[], into: Float32Array, kind: string): void {
  // An optimizer that never stepped saves no slots: its slots are zeros.
  if (saved.length === 0) return;
  if (saved.length !== segments.length) {
    throw new Error(`the saved ${kind} state has ${saved.length} slots for ${segments.length} variables; it belongs to another network`);
  }
  segments.forEach((segment, i) => {
    if (saved[i].data.length !== segment.size) {
      throw new Error(`the saved ${kind} slot "${saved[i].name}" holds ${saved[i].data.length} values, but variable "${segment.name}" has ${segment.size}`);
    }
    into.set(saved[i].data, segment.offset);
  });
}

function iterationsOf(state: NamedArray[]): number {
  const iter = state[0];
  if (iter?.name !== 'iter') throw new Error('the saved optimizer state does not start with its iteration count');
  return iter.data[0];
}

/** Adam as tf.train.adam(rate) computes it (src/core/train/adam.ts), over every variable's segment. */
class FlatAdam implements FlatOptimizer {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private iterations = 0;
  // TF.js keeps the running powers in float32 variables, starting at β.
  private accBeta1 = Math.fround(ADAM_BETA1);
  private accBeta2 = Math.fround(ADAM_BETA2);

  constructor(private readonly segments: readonly FlatSegment[]) {
    const length = flatLength(segments);
    this.m = new Float32Array(length);
    this.v = new Float32Array(length);
  }

  step(params: Float32Array, grads: Float32Array, learningRate: number, present?: readonly boolean[]): void {
    const { m, v, segments } = this;
    const scales = adamScales(learningRate, this.accBeta1, this.accBeta2);
    for (let s = 0; s < segments.length; s++) {
      if (present && !present[s]) continue;
      adamUpdate(params, grads, m, v, segments[s].offset, segments[s].offset + segments[s].size, scales);
    }
    [this.accBeta1, this.accBeta2] = nextAdamPowers(this.accBeta1, this.accBeta2);
    this.iterations++;
  }

  state(): NamedArray[] {
    return [
      iterationsArray(this.iterations),
      ...this.segments.map((s) => slotArray(`${s.name}/m`, s, this.m)),
      ...this.segments.map((s) => slotArray(`${s.name}/v`, s, this.v)),
      { name: adamPowerName('accBeta1'), shape: [], dtype: 'float32', data: Float32Array.of(this.accBeta1) },
      { name: adamPowerName('accBeta2'), shape: [], dtype: 'float32', data: Float32Array.of(this.accBeta2) },
    ];
  }

  restore(state: NamedArray[]): void {
    this.iterations = iterationsOf(state);
    const slots = state.slice(1).filter((a) => !isAdamPower(a.name));
    const n = this.segments.length;
    restoreSlots(slots.slice(0, n), this.segments, this.m, 'Adam');
    restoreSlots(slots.slice(n), this.segments, this.v, 'Adam');
    // As restoreOptimizerState: the saved powers where present, else TF.js's pow(β, t + 1).
    const power = (key: 'accBeta1' | 'accBeta2', beta: number) => state.find((a) => a.name === adamPowerName(key))?.data[0] ?? Math.fround(beta ** (this.iterations + 1));
    this.accBeta1 = power('accBeta1', ADAM_BETA1);
    this.accBeta2 = power('accBeta2', ADAM_BETA2);
  }
}

/** SGD with (non-Nesterov) momentum as tf.train.momentum(rate, momentum) computes it. */
class FlatMomentum implements FlatOptimizer {
  private readonly accumulation: Float32Array;
  private iterations = 0;

  constructor(
    private readonly segments: readonly FlatSegment[],
    private readonly momentum: number,
  ) {
    this.accumulation = new Float32Array(flatLength(segments));
  }

  step(params: Float32Array, grads: Float32Array, learningRate: number, present?: readonly boolean[]): void {
    const { accumulation, momentum, segments } = this;
    for (let s = 0; s < segments.length; s++) {
      if (present && !present[s]) continue;
      const end = segments[s].offset + segments[s].size;
      for (let i = segments[s].offset; i < end; i++) {
        const a = momentum * accumulation[i] + grads[i];
        accumulation[i] = a;
        params[i] -= learningRate * a;
      }
    }
    this.iterations++;
  }

  state(): NamedArray[] {
    return [iterationsArray(this.iterations), ...this.segments.map((s) => slotArray(`${s.name}/momentum`, s, this.accumulation))];
  }

  restore(state: NamedArray[]): void {
    this.iterations = iterationsOf(state);
    restoreSlots(state.slice(1), this.segments, this.accumulation, 'momentum');
  }
}
