/**
 * `npm run bench:layers`: what the model builder's training layers (fused-batch-norm.ts,
 * data-input-conv.ts) and the folded batch norms of evaluation (inference.ts) are worth, as A/Bs
 * in one process. Each model is built twice with the same
 * weights: as `buildModel` makes it, and as TF.js's own layers make it (the saved `model.json`
 * read back with `tf.models.modelFromJSON`, which gives the built-in BatchNormalization and
 * Conv2D). Timed rounds alternate between the two, so the load of a shared machine falls on both
 * alike; the report is the median of the per-round throughput ratios. Inference compares the
 * evaluation's folded network with `model.predict` on the builder's model in the same way, and
 * training with the trainer's one-pass Adam (one-pass-adam.ts) with training with tf.train.adam,
 * as whole steps and as the update alone. Prints a table and writes
 * bench-results/layers.json. See docs/benchmarks.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/trainer/backends';
import { BackendNameSchema } from '../src/protocol/events';
import { buildModel, foldForInference } from '../src/trainer/model';
import type { Architecture } from '../src/core/arch/types';
import { median } from '../src/core/stats';
import { trainableVariables } from '../src/trainer/model/variables';
import { machineInfo } from './lib/machine';
import { benchAdamSettings, benchOptimizer, inferStep, syntheticBatch, timeLoop, trainStep, type SyntheticBatch } from './lib/measure';
import { selectModels } from './lib/models';
import { readOptions } from './lib/options';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

interface Variant {
  name: 'builder' | 'built-in';
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  imagesPerSecond: number[];
}

/** The same network, weights included, with TF.js's own layers only. */
async function builtInCopy(model: tf.LayersModel): Promise<tf.LayersModel> {
  const copy = await tf.models.modelFromJSON({ modelTopology: model.toJSON(undefined, false) as tf.io.ModelJSON['modelTopology'] });
  copy.setWeights(model.getWeights());
  return copy;
}

/** Alternating rounds of folded inference and `model.predict`; the median ratio folded ÷ predict. */
async function inferenceAB(model: tf.LayersModel, batch: SyntheticBatch, plan: Parameters<typeof timeLoop>[2], batchSize: number): Promise<{ foldedImagesPerSecond: number; predictImagesPerSecond: number; ratio: number; roundRatios: number[] }> {
  const folded: number[] = [];
  const predicted: number[] = [];
  const ratios: number[] = [];
  const unfolded = { predict: (x: tf.Tensor) => model.predict(x) as tf.Tensor };
  for (let round = 0; round < ROUNDS; round++) {
    const net = foldForInference(model);
    const timeFolded = async (): Promise<void> => {
      folded.push((await timeLoop(() => inferStep(net, batch), batchSize, plan)).timing.imagesPerSecond);
    };
    const timePredict = async (): Promise<void> => {
      predicted.push((await timeLoop(() => inferStep(unfolded, batch), batchSize, plan)).timing.imagesPerSecond);
    };
    if (round % 2 === 0) {
      await timeFolded();
      await timePredict();
    } else {
      await timePredict();
      await timeFolded();
    }
    net.dispose();
    ratios.push(folded[round] / predicted[round]);
  }
  return { foldedImagesPerSecond: median(folded), predictImagesPerSecond: median(predicted), ratio: median(ratios), roundRatios: ratios };
}

interface OptimizerAB {
  /** Median training-step throughput ratio, one-pass Adam ÷ tf.train.adam, and each round's. */
  stepRatio: number;
  stepRoundRatios: number[];
  /** Median milliseconds of one update (applyGradients on fixed gradients) with each. */
  onePassUpdateMs: number;
  tfjsUpdateMs: number;
}

/** Alternating rounds of training with the trainer's optimizer and with tf.train.adam, on copies of one model. */
async function optimizerAB(arch: Architecture, model: tf.LayersModel, batch: SyntheticBatch, plan: Parameters<typeof timeLoop>[2], batchSize: number): Promise<OptimizerAB> {
  const copy = (): tf.LayersModel => {
    const m = buildModel(arch, { seed: 1 });
    m.setWeights(model.getWeights());
    return m;
  };
  const sides = [
    { model: copy(), optimizer: benchOptimizer() as tf.Optimizer, throughput: [] as number[], updateMs: [] as number[] },
    { model: copy(), optimizer: tf.train.adam(benchAdamSettings().learningRate) as tf.Optimizer, throughput: [] as number[], updateMs: [] as number[] },
  ];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      side.throughput.push((await timeLoop(() => trainStep(side.model, side.optimizer, batch), batchSize, plan)).timing.imagesPerSecond);
      const grads = trainableVariables(side.model).map((v) => ({ name: v.name, tensor: tf.randomNormal(v.shape, 0, 1e-3, 'float32', round) }));
      const started = performance.now();
      for (let i = 0; i < 5; i++) side.optimizer.applyGradients(grads);
      side.updateMs.push((performance.now() - started) / 5);
      tf.dispose(grads.map((g) => g.tensor));
    }
    ratios.push(sides[0].throughput[round] / sides[1].throughput[round]);
  }
  for (const side of sides) {
    side.optimizer.dispose();
    side.model.dispose();
  }
  return { stepRatio: median(ratios), stepRoundRatios: ratios, onePassUpdateMs: median(sides[0].updateMs), tfjsUpdateMs: median(sides[1].updateMs) };
}

async function main(): Promise<void> {
  const options = readOptions();
  const backend = BackendNameSchema.parse(process.env.BENCH_BACKEND ?? 'native');
  await activateBackend(backend);
  const machine = machineInfo();
  const secondsPerRound = options.seconds / 2;
  console.log(`ResBuilder Studio layer A/B — ${new Date().toISOString()}, backend ${backend}, batch ${options.batchSize}`);
  console.log(`${machine.cpuModel}, ${machine.cores} cores; load average ${machine.loadAverage.join(' ')}`);
  console.log(`${ROUNDS} rounds (BENCH_ROUNDS) of ~${secondsPerRound} s training and ~${secondsPerRound / 2} s inference per variant (BENCH_SECONDS / 2), alternating which goes first.\n`);

  const results = [];
  for (const spec of selectModels(options.models)) {
    const built = buildModel(spec.arch, { seed: options.seed });
    const variants: Variant[] = [
      { name: 'builder', model: built, optimizer: benchOptimizer(), imagesPerSecond: [] },
      { name: 'built-in', model: await builtInCopy(built), optimizer: benchOptimizer(), imagesPerSecond: [] },
    ];
    const batch = syntheticBatch(options.batchSize, spec.inputShape, spec.arch.numClasses, options.seed);
    const plan = { seconds: secondsPerRound, steps: options.steps, warmupSteps: options.warmupSteps, minSteps: 3 };
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const v of order) v.imagesPerSecond.push((await timeLoop(() => trainStep(v.model, v.optimizer, batch), options.batchSize, plan)).timing.imagesPerSecond);
      ratios.push(variants[0].imagesPerSecond[round] / variants[1].imagesPerSecond[round]);
    }
    const row = {
      model: spec.id,
      builderImagesPerSecond: median(variants[0].imagesPerSecond),
      builtInImagesPerSecond: median(variants[1].imagesPerSecond),
      ratio: median(ratios),
      roundRatios: ratios,
    };
    const inference = await inferenceAB(built, batch, { ...plan, seconds: secondsPerRound / 2 }, options.batchSize);
    const optimizer = await optimizerAB(spec.arch, built, batch, plan, options.batchSize);
    results.push({ ...row, inference, optimizer });
    console.log(`${spec.id.padEnd(10)} training:  builder ${row.builderImagesPerSecond.toFixed(0).padStart(5)} img/s  built-in layers ${row.builtInImagesPerSecond.toFixed(0).padStart(5)} img/s  ` +
      `ratio ${row.ratio.toFixed(2)}× (rounds: ${ratios.map((r) => r.toFixed(2)).join(' ')})`);
    console.log(`${' '.repeat(10)} inference: folded  ${inference.foldedImagesPerSecond.toFixed(0).padStart(5)} img/s  model.predict   ${inference.predictImagesPerSecond.toFixed(0).padStart(5)} img/s  ` +
      `ratio ${inference.ratio.toFixed(2)}× (rounds: ${inference.roundRatios.map((r) => r.toFixed(2)).join(' ')})`);
    console.log(`${' '.repeat(10)} optimizer: one-pass Adam ÷ tf.train.adam, training steps ${optimizer.stepRatio.toFixed(2)}× (rounds: ${optimizer.stepRoundRatios.map((r) => r.toFixed(2)).join(' ')}); ` +
      `one update ${optimizer.onePassUpdateMs.toFixed(1)} ms against ${optimizer.tfjsUpdateMs.toFixed(1)} ms`);
    batch.x.dispose();
    batch.y.dispose();
    for (const v of variants) {
      v.optimizer.dispose();
      v.model.dispose();
    }
  }
  const outFile = process.env.BENCH_OUT ?? 'bench-results/layers.json';
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, JSON.stringify({ date: new Date().toISOString(), backend, batchSize: options.batchSize, rounds: ROUNDS, machine, results }, null, 2) + '\n');
  console.log(`\nwritten: ${outFile}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
