/** Small hand-built architectures for the search tests. */
import { ARCH_SCHEMA_VERSION, type Architecture, type BlockStyle, type ConvLayer, type Layer, type Skip } from '../../../src/core/arch/types';

export function conv(id: string, width: number, opts: Partial<Pick<ConvLayer, 'kernel' | 'stride' | 'origin' | 'insertedAt'>> = {}): ConvLayer {
  const origin = opts.origin ?? 'seed';
  return {
    kind: 'conv',
    id,
    width,
    kernel: opts.kernel ?? 3,
    stride: opts.stride ?? 1,
    origin,
    ...(origin === 'inserted' ? { insertedAt: opts.insertedAt ?? 1 } : {}),
  };
}

export function pool(id: string, kind: 'max' | 'avg' = 'max'): Layer {
  return { kind: 'pool', id, pool: kind, size: 2, stride: 2 };
}

export function dense(id: string, units: number): Layer {
  return { kind: 'dense', id, units };
}

/** Two convs `${id}.conv1`/`.conv2` and the skip `id` between them. */
export function block(id: string, width: number, opts: { stride?: number; width2?: number; origin?: 'seed' | 'inserted' } = {}): { layers: ConvLayer[]; skip: Skip } {
  const origin = opts.origin ?? 'inserted';
  return {
    layers: [conv(`${id}.conv1`, width, { stride: opts.stride, origin }), conv(`${id}.conv2`, opts.width2 ?? width, { origin })],
    skip: { id, from: `${id}.conv1`, to: `${id}.conv2` },
  };
}

export function net(parts: (Layer | { layers: ConvLayer[]; skip: Skip })[], opts: { style?: BlockStyle; input?: [number, number, number]; classes?: number } = {}): Architecture {
  const layers: Layer[] = [];
  const skips: Skip[] = [];
  for (const part of parts) {
    if ('skip' in part) {
      layers.push(...part.layers);
      skips.push(part.skip);
    } else {
      layers.push(part);
    }
  }
  const [height, width, channels] = opts.input ?? [32, 32, 3];
  return { schemaVersion: ARCH_SCHEMA_VERSION, blockStyle: opts.style ?? 'reference', input: { height, width, channels }, numClasses: opts.classes ?? 10, layers, skips };
}

/** An RNG that returns scripted values and records the ranges it was asked for. */
export class ScriptedRng {
  readonly asked: number[] = [];
  private position = 0;
  constructor(private readonly values: number[]) {}
  int(n: number): number {
    this.asked.push(n);
    if (this.position >= this.values.length) throw new Error(`ScriptedRng ran out of values after ${this.position} draws`);
    return this.values[this.position++];
  }
}
