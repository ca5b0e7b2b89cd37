/** The run's RNG streams (spec 11.3), created from the config seed and saved in every checkpoint. */
import { Rng } from '../../core/rng';

export interface RunRngs {
  /** Where blocks are inserted. */
  insertions: Rng;
  /** Batch order. */
  shuffle: Rng;
  /** Shifts and flips. */
  augmentation: Rng;
  /** Seeds for the initialisers of every model build. */
  init: Rng;
}

export function createRngs(seed: number): RunRngs {
  return {
    insertions: new Rng(seed, 'insertions'),
    shuffle: new Rng(seed, 'shuffle'),
    augmentation: new Rng(seed, 'augmentation'),
    init: new Rng(seed, 'init'),
  };
}

export function rngStates(rngs: RunRngs): Record<string, number[]> {
  return Object.fromEntries(Object.entries(rngs).map(([name, rng]) => [name, (rng as Rng).getState()]));
}

export function restoreRngs(rngs: RunRngs, states: Record<string, number[]>): void {
  for (const [name, rng] of Object.entries(rngs) as [string, Rng][]) {
    const state = states[name];
    if (!state) throw new Error(`The checkpoint has no state for the "${name}" random stream.`);
    rng.setState(state);
  }
}
