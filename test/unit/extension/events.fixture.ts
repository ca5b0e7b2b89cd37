/** Builders of valid trainer events for the extension's tests. */
import type { EventBody, TrainerEvent } from '../../../src/protocol/events';

export const tinyArchitecture = {
  schemaVersion: 1 as const,
  blockStyle: 'reference' as const,
  input: { height: 28, width: 28, channels: 1 },
  numClasses: 10,
  layers: [{ kind: 'conv' as const, id: 'c1', width: 8, kernel: 3, stride: 1, origin: 'seed' as const }],
  skips: [],
};

export function stream(runId = 'r1'): (body: EventBody) => TrainerEvent {
  let seq = 0;
  return (body) => ({ v: 1, runId, seq: seq++, time: new Date(Date.UTC(2024, 0, 1, 0, 0, seq)).toISOString(), ...body }) as TrainerEvent;
}

export function runStarted(mode: 'search' | 'train' = 'search', resumed = false): EventBody {
  return {
    type: 'run-started',
    mode,
    configPath: '/w/mnist.resbuilder.yaml',
    configHash: 'abc',
    config: {},
    seed: 1,
    backend: { name: 'wasm', skipped: [{ name: 'tensorflow', reason: 'not installed' }] },
    dataset: { name: 'mnist', source: 'mnist', inputShape: [28, 28, 1], numClasses: 10, trainSize: 400, validationSize: 100, testSize: 100, fingerprint: 'fp' },
    resumed,
    versions: { node: '20' },
  };
}

export function architecture(depth: number, flops: number): EventBody {
  return { type: 'architecture', cause: 'start', architecture: tinyArchitecture, params: 100, flops, depth };
}
