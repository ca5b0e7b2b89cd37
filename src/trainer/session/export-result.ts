/**
 * The files a finished run leaves for the user: `<config>.arch.json` next to the config (the
 * architecture with metrics, provenance and the list of structural changes, ready to commit) and
 * a TF.js model folder that plain `tf.loadLayersModel` loads.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { architectureCost } from '../../core/arch/cost';
import { ARCH_DOCUMENT_VERSION, serializeArchDocument, type ArchDocument } from '../../core/arch/document';
import { resolveArchitecture } from '../../core/arch/resolve';
import { exportModel } from '../model/export';
import { finishedRunSource, writeExports } from '../export/export';
import { modelWeights } from '../export/tf-weights';
import type { RunContext } from './context';
import type { LoopState } from './loop-state';
import { writeTimeReport } from './time-report';

/**
 * outputs.export: the found network in the configured formats next to the `.arch.json`. The run's
 * results are on disk already, so a failure here is reported with the command that retries it
 * rather than failing the run.
 */
function exportFormats(ctx: RunContext, doc: ArchDocument, state: LoopState): void {
  const { config } = ctx;
  try {
    const source = finishedRunSource(doc, config.outputs.archFile, ctx.paths.dir, modelWeights(state.model!), config.training.batchNormMomentum);
    const files = writeExports(source, config.outputs.export, path.dirname(config.outputs.archFile));
    ctx.emitter.emit({ type: 'log', level: 'info', message: `Exported ${files.map((f) => path.basename(f)).join(', ')} next to ${path.basename(config.outputs.archFile)}.` });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.emitter.emit({ type: 'log', level: 'error', message: `outputs.export failed: ${message} Retry with: resbuilder export ${ctx.paths.dir} --format ${config.outputs.export.join(',')}` });
  }
}

export async function exportResult(ctx: RunContext, state: LoopState): Promise<void> {
  const { config, dataset } = ctx;
  const p = state.progress;
  const final = p.final!;
  const cost = architectureCost(state.arch);
  const doc: ArchDocument = {
    schemaVersion: ARCH_DOCUMENT_VERSION,
    architecture: state.arch,
    metrics: {
      testAccuracy: final.test.accuracy,
      testLoss: final.test.loss,
      validationAccuracy: final.validation?.accuracy ?? null,
      params: cost.params,
      flops: cost.flops,
      depth: resolveArchitecture(state.arch).depth,
    },
    provenance: {
      runId: ctx.paths.runId,
      createdAt: new Date().toISOString(),
      configFile: path.relative(path.dirname(config.outputs.archFile), config.configPath).split(path.sep).join('/'),
      configHash: ctx.configHash,
      seed: config.seed,
      backend: ctx.backend.name,
      dataset: {
        name: dataset.info.name,
        fingerprint: dataset.info.fingerprint,
        trainSize: dataset.info.trainSize,
        validationSize: dataset.info.validationSize,
        testSize: dataset.info.testSize,
      },
      versions: ctx.versions,
    },
    changes: p.changes,
  };
  await exportModel(state.model!, ctx.paths.modelDir);
  // Written to a temporary name first so an interrupted write never leaves a half file to commit.
  const tmp = `${config.outputs.archFile}.tmp`;
  fs.mkdirSync(path.dirname(config.outputs.archFile), { recursive: true });
  fs.writeFileSync(tmp, serializeArchDocument(doc));
  fs.renameSync(tmp, config.outputs.archFile);
  fs.writeFileSync(path.join(ctx.paths.dir, 'result.arch.json'), serializeArchDocument(doc));
  if (config.outputs.export.length > 0) exportFormats(ctx, doc, state);
  ctx.emitter.emit({ type: 'architecture', cause: 'final', architecture: state.arch, params: cost.params, flops: cost.flops, depth: doc.metrics.depth });
  writeTimeReport(ctx, true);
  ctx.emitter.emit({
    type: 'finished', archPath: config.outputs.archFile, modelDir: ctx.paths.modelDir,
    test: final.test, params: cost.params, flops: cost.flops,
    seconds: p.elapsedBefore + ctx.elapsedSeconds(),
  });
}
