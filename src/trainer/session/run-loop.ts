/**
 * The run itself: the ResBuilder search (docs/algorithm.md, "The search loop", as a resumable state machine; see
 * progress-state.ts) or, in `mode: train`, a single training of the configured network. Each
 * training phase writes a checkpoint after every epoch; every structural change is emitted with
 * its reason and followed by a full architecture snapshot.
 */
import * as tf from '@tensorflow/tfjs';
import { architectureCost } from '../../core/arch/cost';
import type { Architecture } from '../../core/arch/types';
import { architectureKey } from '../../core/search/key';
import { decideDeletion } from '../../core/search/delete';
import { proposeInsertion } from '../../core/search/insert';
import { decideMorph } from '../../core/search/morph';
import type { PhaseKind, StructuralChange } from '../../protocol/events';
import { modelWeights, writeCheckpoint, type CheckpointState } from '../run/checkpoint';
import { createOptimizer, restoreOptimizerState, saveOptimizerState } from '../train/optimizer';
import { trainPhase, type EpochReport } from '../train/phase';
import { evaluate } from '../train/evaluate';
import { finalTrainingEpochs } from '../../core/train/final-training';
import type { NamedArray } from '../run/tensor-bundle';
import type { RunContext } from './context';
import { exportResult } from './export-result';
import { transferWeights } from '../model';
import { buildFor, meanAbsOfInserted, morphnetTerm, penalizedKernels, rebuildKeepingWeights } from './model-state';
import type { LoopState } from './loop-state';
import type { RunProgress } from './progress-state';
import { rngStates } from '../../core/rng';
import { emitArchitecture } from './snapshot';
import { openPhaseStepper } from '../parallel/run-stepper';
import type { ParallelStepper } from '../parallel/parallel-stepper';

export type LoopOutcome = 'finished' | 'stopped';

function recordChange(ctx: RunContext, state: LoopState, change: StructuralChange, arch: Architecture): void {
  const p = state.progress;
  const index = p.changes.length;
  p.changes.push({ index, cycle: p.cycle, step: p.t, change });
  ctx.emitter.emit({ type: 'structural-change', index, cycle: p.cycle, step: p.t, change });
  emitArchitecture(ctx, arch, 'change', index);
}

function checkpoint(ctx: RunContext, state: LoopState, label: string, phase: CheckpointState['phase'], optimizer: NamedArray[] | null): void {
  ctx.times.time('checkpoints', () => writeCheckpointOf(ctx, state, label, phase, optimizer));
}

function writeCheckpointOf(ctx: RunContext, state: LoopState, label: string, phase: CheckpointState['phase'], optimizer: NamedArray[] | null): void {
  const s: CheckpointState<RunProgress> = {
    version: 1,
    runId: ctx.paths.runId,
    configHash: ctx.configHash,
    createdAt: new Date().toISOString(),
    label,
    rng: rngStates(ctx.rngs),
    architecture: state.arch,
    progress: { ...state.progress, elapsedBefore: state.progress.elapsedBefore + ctx.elapsedSeconds() },
    phase,
  };
  writeCheckpoint(ctx.paths.checkpointDir, { state: s, weights: modelWeights(state.model!), optimizer });
  ctx.emitter.emit({ type: 'checkpoint', path: ctx.paths.checkpointDir, label });
}

function phaseLabel(p: RunProgress, config: RunContext['config'], stepsPerEpoch: number): { kind: PhaseKind; label: string; epochs: number } {
  if (p.stage === 'final') {
    return p.mode === 'train'
      ? { kind: 'train', label: 'Training', epochs: config.training.epochs }
      : { kind: 'final', label: 'Final training of the found network', epochs: finalTrainingEpochs(config.search, stepsPerEpoch) };
  }
  const where = `cycle ${p.cycle}/${config.search.cycles}, run ${p.run}`;
  return p.t === 0
    ? { kind: 'scratch', label: `Training from scratch (${where})`, epochs: config.search.epochsPerTraining }
    : { kind: 'insert', label: `Training after insertion ${p.t}/${config.search.insertionsPerCycle} (${where})`, epochs: config.search.epochsPerTraining };
}

function evaluateTest(ctx: RunContext, model: tf.LayersModel, phase: PhaseKind): { loss: number; accuracy: number } {
  const test = ctx.times.time('evaluation', () => evaluate(model, ctx.data, 'test'));
  ctx.emitter.emit({ type: 'evaluation', phase, split: 'test', loss: test.loss, accuracy: test.accuracy });
  return test;
}

/** Trains the current architecture for the current stage; returns false if a stop interrupted it. */
async function runTraining(ctx: RunContext, state: LoopState): Promise<boolean> {
  const p = state.progress;
  const { config } = ctx;
  const { kind, label, epochs } = phaseLabel(p, config, ctx.data.stepsPerEpoch);
  const searching = p.stage === 'train';
  if (!state.model) state.model = ctx.times.time('structure', () => buildFor(ctx, state.arch, []));
  const model = state.model;
  const optimizer = createOptimizer(config.training);
  const resume = state.resumePhase;
  state.resumePhase = null;
  if (resume?.optimizer) await restoreOptimizerState(optimizer, resume.optimizer);
  if (resume?.batches) ctx.data.setState(resume.batches);
  if (kind === 'final' && epochs > config.search.finalEpochs && !resume) {
    const steps = ctx.data.stepsPerEpoch;
    ctx.emitter.emit({ type: 'log', level: 'info', message: `The final training lasts ${epochs} epochs instead of search.finalEpochs = ${config.search.finalEpochs}: at ${steps} ${steps === 1 ? 'step' : 'steps'} per epoch it takes that many to reach search.finalMinSteps = ${config.search.finalMinSteps} optimizer steps. Set finalMinSteps to 0 for exactly finalEpochs.` });
  }
  ctx.emitter.emit({ type: 'phase-started', phase: kind, cycle: searching ? p.cycle : undefined, step: searching ? p.t : undefined, epochs, label });
  const morphnet = searching && config.search.morphnetLambda > 0 ? morphnetTerm(model, state.arch, config.search) : null;
  let stepper: ParallelStepper | null = null;
  // With workers the optimizer state lives in them.
  const optimizerState = () => (stepper ? stepper.optimizerState() : saveOptimizerState(optimizer));
  let lastEpoch: EpochReport | undefined;
  try {
    stepper = await openPhaseStepper(ctx, { model, arch: state.arch, morphnet: morphnet !== null, optimizerState: resume?.optimizer ?? null });
    const result = await ctx.times.timeAsync('training-steps', () => trainPhase({
      model, optimizer, data: ctx.data, training: config.training, phase: kind, epochs, times: ctx.times,
      startEpoch: resume?.epochsDone ?? 0,
      penalized: penalizedKernels(model, state.arch, config.search.l1OnlyOnInsertedLayers),
      extraLoss: morphnet ?? undefined,
      epochFigures: morphnet ? () => morphnet.figures() : undefined,
      emitter: ctx.emitter,
      shouldStop: () => ctx.stop.requested,
      stepper: stepper ?? undefined,
      onEpochEnd: async (report) => {
        if (report.epoch < epochs) checkpoint(ctx, state, `${label}, epoch ${report.epoch}`, { epochsDone: report.epoch, epochs }, await optimizerState());
      },
    }));
    if (result.stopped) {
      // The weights are consistent after the last completed batch: keep them, so a stop never
      // costs more than that batch.
      checkpoint(ctx, state, `${label}, stopped in epoch ${result.epochsDone + 1}`, { epochsDone: result.epochsDone, epochs, batches: ctx.data.getState() }, await optimizerState());
      return false;
    }
    lastEpoch = result.last;
  } finally {
    optimizer.dispose();
    await stepper?.close();
  }

  const test = evaluateTest(ctx, model, kind);
  // The last epoch's end evaluated these same weights on the validation split already.
  const validation = ctx.data.validationSize === 0 ? null
    : lastEpoch?.validation ?? ctx.times.time('evaluation', () => evaluate(model, ctx.data, 'validation'));
  if (searching) {
    p.accuracy[String(p.run)] = { test: test.accuracy, validation: validation?.accuracy ?? null };
    p.meanAbs[String(p.run)] = meanAbsOfInserted(model, state.arch);
    delete p.meanAbs[String(p.run - 2)];
    p.alive = morphnet ? morphnet.alive() : null;
    p.trainedFlops = architectureCost(state.arch).flops;
    p.noRegPending = config.search.noRegEvaluation;
    p.stage = 'decide';
  } else {
    p.final = { test, validation };
    p.stage = 'done';
  }
  checkpoint(ctx, state, `${label} done`, null, null);
  return true;
}

/**
 * The reference loop's no-reg evaluation retrains (docs/algorithm.md, "The search loop"): the trained network once more
 * without the MorphNet term, from its weights ("WI") and from scratch ("RI"). They only report
 * test accuracies; the search state does not depend on them.
 */
async function runNoRegEvaluation(ctx: RunContext, state: LoopState): Promise<boolean> {
  const { config } = ctx;
  const epochs = config.search.epochsPerTraining;
  for (const kind of ['noreg-wi', 'noreg-ri'] as const) {
    const model = ctx.times.time('structure', () => buildFor(ctx, state.arch, []));
    if (kind === 'noreg-wi') ctx.times.time('structure', () => transferWeights(state.model!, model));
    const optimizer = createOptimizer(config.training);
    const label = `No-reg evaluation ${kind === 'noreg-wi' ? 'from the trained weights' : 'from scratch'} (run ${state.progress.run})`;
    ctx.emitter.emit({ type: 'phase-started', phase: kind, cycle: state.progress.cycle, step: state.progress.t, epochs, label });
    let stepper: ParallelStepper | null = null;
    try {
      stepper = await openPhaseStepper(ctx, { model, arch: state.arch, morphnet: false, optimizerState: null });
      const result = await ctx.times.timeAsync('training-steps', () => trainPhase({
        model, optimizer, data: ctx.data, training: config.training, phase: kind, epochs, times: ctx.times,
        penalized: penalizedKernels(model, state.arch, config.search.l1OnlyOnInsertedLayers),
        emitter: ctx.emitter, shouldStop: () => ctx.stop.requested, stepper: stepper ?? undefined,
      }));
      if (result.stopped) return false;
      evaluateTest(ctx, model, kind);
    } finally {
      optimizer.dispose();
      await stepper?.close();
      model.dispose();
    }
  }
  return true;
}

function applyDeletion(ctx: RunContext, state: LoopState): void {
  const p = state.progress;
  const { search } = ctx.config;
  if (p.run === 1 && p.t === 0) return;
  const source = search.deleteUsesPreviousRunWeights ? String(p.run - 1) : String(p.run);
  const meanAbs = new Map(Object.entries(p.meanAbs[source] ?? {}));
  const gateOn = search.gateAccuracy;
  const now = p.accuracy[String(p.run)];
  const before = p.accuracy[String(p.run - 1)];
  const decision = decideDeletion({
    arch: state.arch,
    meanAbs,
    threshold: search.deleteThreshold,
    gate: {
      enabled: search.momentumGate,
      firstOfCycle: p.t === 0,
      previousAccuracy: before ? (before[gateOn] ?? before.test) : null,
      accuracy: now ? (now[gateOn] ?? now.test) : 0,
      threshold: search.momentumThreshold,
    },
  });
  if (decision.deleted) {
    state.model = rebuildKeepingWeights(ctx, state.model!, decision.arch, []).model;
    state.arch = decision.arch;
  }
  recordChange(ctx, state, decision.change, state.arch);
  p.visited.push(architectureKey(state.arch));
}

function applyInsertion(ctx: RunContext, state: LoopState): void {
  const p = state.progress;
  const { search } = ctx.config;
  p.t += 1;
  p.run += 1;
  const proposal = proposeInsertion(state.arch, ctx.rngs.insertions, p.run, new Set(p.visited), search.insertionAttempts, search.zeroInitLastConv);
  if (proposal.inserted) {
    state.model = rebuildKeepingWeights(ctx, state.model!, proposal.arch, proposal.zeroInitLayerIds).model;
    state.arch = proposal.arch;
    p.visited.push(proposal.key);
  }
  recordChange(ctx, state, proposal.change, state.arch);
  p.stage = 'train';
}

function applyMorph(ctx: RunContext, state: LoopState): void {
  const p = state.progress;
  const { search } = ctx.config;
  const decision = decideMorph({
    arch: state.arch,
    alive: new Map(Object.entries(p.alive ?? {})),
    flopsForOmega: p.trainedFlops ?? architectureCost(state.arch).flops,
    targetFlops: search.targetFlops,
    shrinkIntensity: search.shrinkIntensity,
    expandIntensity: search.expandIntensity,
    omegaFromShrunkNet: search.omegaFromShrunkNet,
  });
  const lastCycle = p.cycle >= search.cycles;
  if (lastCycle && search.finalWeights === 'inherit' && state.model) {
    const { model, report } = rebuildKeepingWeights(ctx, state.model, decision.arch, [], true);
    state.model = model;
    ctx.emitter.emit({
      type: 'log', level: 'info',
      message: `The final training starts from the searched weights: ${report.carried.length} weight arrays kept, ` +
        `${report.sliced.length} resized with their first channels kept, ${report.fresh.length} new.`,
    });
  } else {
    // docs/algorithm.md, "Which weights carry over": after a resize the next training starts from fresh weights.
    state.model?.dispose();
    state.model = null;
  }
  state.arch = decision.arch;
  recordChange(ctx, state, decision.change, state.arch);
  p.visited.push(architectureKey(state.arch));
  p.cycle += 1;
  p.t = 0;
  p.run += 1;
  p.stage = lastCycle ? 'final' : 'train';
}

function decide(ctx: RunContext, state: LoopState): void {
  applyDeletion(ctx, state);
  if (state.progress.t < ctx.config.search.insertionsPerCycle) applyInsertion(ctx, state);
  else applyMorph(ctx, state);
}

export async function runLoop(ctx: RunContext, state: LoopState): Promise<LoopOutcome> {
  for (;;) {
    const p = state.progress;
    switch (p.stage) {
      case 'train':
      case 'final': {
        const completed = await runTraining(ctx, state);
        if (!completed) return 'stopped';
        break;
      }
      case 'decide':
        if (p.noRegPending) {
          if (!(await runNoRegEvaluation(ctx, state))) return 'stopped';
          p.noRegPending = false;
        }
        // A stop that arrived while the training ended (its stepper closing, its evaluation) is
        // honoured before deciding: the last checkpoint holds this stage, so the resumed run
        // makes and records each decision once. Deciding first would record the decision here
        // and again after the resume, which re-derives it from that checkpoint.
        if (ctx.stop.requested) return 'stopped';
        ctx.times.time('structure', () => decide(ctx, state));
        break;
      case 'done':
        await ctx.times.timeAsync('export', () => exportResult(ctx, state));
        return 'finished';
    }
  }
}
