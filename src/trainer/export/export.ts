/**
 * `resbuilder export` and `outputs.export` (docs/export.md): finds the architecture and, when
 * there are any, its trained weights (a run folder, or the run an `.arch.json` names in its
 * provenance), and writes `<name>.onnx`, `<name>.py` and `<name>.safetensors`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ArchDocumentInfoSchema, type ArchDocumentInfo } from '../../core/arch/document';
import { readArchitectureFile, serializeArchitecture } from '../../core/arch/json';
import { ArchitectureError } from '../../core/arch/resolve';
import type { Architecture } from '../../core/arch/types';
import { loadConfigFile } from '../../core/config/load';
import type { ExportFormat } from '../../core/export/formats';
import { exportGraph } from '../../core/export/graph';
import { exportedWeights, ExportWeightsError, type TfWeights } from '../../core/export/weights';
import { DEFAULT_BN_MOMENTUM } from '../model/build';
import { loadExportedModel, MODEL_JSON } from '../model/export';
import { runPaths } from '../run/run-dir';
import { version as studioVersion } from '../../../package.json';
import { encodeOnnx } from './onnx';
import { pytorchSource, pytorchStateDict } from './pytorch';
import { encodeSafetensors } from './safetensors';
import { modelWeights } from './tf-weights';

/** A problem with what was given to export, with the fix in the message. */
export class ExportError extends Error {}

export const RESULT_ARCH_FILE = 'result.arch.json';

export interface ExportSource {
  architecture: Architecture;
  info: ArchDocumentInfo;
  /** The file the architecture was read from. */
  archFile: string;
  /** The run folder the weights came from, or null for none. */
  runDir: string | null;
  /** The trained weights, or null (PyTorch only, freshly initialised). */
  weights: TfWeights | null;
  /** TF.js batch-norm moving-average decay of the trained model. */
  bnMomentum: number;
  /** Why no weights were found, for the message when a format needs them. */
  noWeightsReason: string;
  /** The name the exported files get: `<name>.onnx`, ... */
  name: string;
}

function readInfo(archFile: string): { architecture: Architecture; info: ArchDocumentInfo } {
  const { architecture, metrics, provenance } = readArchitectureFile(fs.readFileSync(archFile, 'utf8'), archFile);
  const parsed = ArchDocumentInfoSchema.safeParse({ metrics, provenance });
  // Metrics and provenance only feed the exported files' metadata: an odd section is left out, not fatal.
  return { architecture, info: parsed.success ? parsed.data : {} };
}

async function loadWeights(runDir: string, architecture: Architecture): Promise<{ weights: TfWeights; bnMomentum: number }> {
  const modelDir = runPaths(runDir).modelDir;
  const model = await loadExportedModel(modelDir);
  try {
    const bn = model.layers.find((l) => l.getClassName() === 'BatchNormalization');
    const momentum = bn ? Number((bn.getConfig() as { momentum?: number }).momentum) : DEFAULT_BN_MOMENTUM;
    const weights = modelWeights(model);
    // Fails now, naming the weight, if the model is not this architecture's.
    exportedWeights(exportGraph(architecture), weights);
    return { weights, bnMomentum: Number.isFinite(momentum) ? momentum : DEFAULT_BN_MOMENTUM };
  } finally {
    model.dispose();
    tf.disposeVariables();
  }
}

function nameOf(archFile: string, info: ArchDocumentInfo): string {
  const base = path.basename(archFile);
  if (base !== RESULT_ARCH_FILE && base.endsWith('.arch.json')) return base.slice(0, -'.arch.json'.length);
  const config = info.provenance?.configFile;
  if (config) return path.basename(config).replace(/\.resbuilder\.ya?ml$/, '').replace(/\.ya?ml$/, '');
  return 'model';
}

/** The run folders an `.arch.json` may have come from: the default runs folder next to its config, and the config's own `outputs.runsDir`. */
async function candidateRunDirs(archFile: string, info: ArchDocumentInfo): Promise<string[]> {
  const runId = info.provenance?.runId;
  if (!runId) return [];
  const dirs: string[] = [];
  const configFile = info.provenance?.configFile ? path.resolve(path.dirname(archFile), info.provenance.configFile) : null;
  if (configFile && fs.existsSync(configFile)) {
    try {
      dirs.push(path.join((await loadConfigFile(configFile)).outputs.runsDir, runId));
    } catch {
      // A config that no longer parses still has its default runs folder.
    }
  }
  dirs.push(path.join(path.dirname(configFile ?? archFile), '.resbuilder', 'runs', runId));
  return [...new Set(dirs)];
}

function sameArchitecture(a: Architecture, b: Architecture): boolean {
  return serializeArchitecture(a) === serializeArchitecture(b);
}

/** Reads a run folder or an `.arch.json` (and the run it names, when that is still there). */
export async function loadExportSource(target: string): Promise<ExportSource> {
  if (!fs.existsSync(target)) throw new ExportError(`${target}: no such file or folder. Give a run folder (.resbuilder/runs/<run-id>) or an .arch.json file.`);
  if (fs.statSync(target).isDirectory()) {
    const archFile = path.join(target, RESULT_ARCH_FILE);
    const modelJson = path.join(runPaths(target).modelDir, MODEL_JSON);
    if (!fs.existsSync(archFile) || !fs.existsSync(modelJson)) {
      const missing = !fs.existsSync(archFile) ? RESULT_ARCH_FILE : path.join('model', MODEL_JSON);
      throw new ExportError(
        `${target}: no trained weights to export (${missing} is missing): the run has not finished. Fix: finish it with \`resbuilder resume ${target}\` and export again, or export an .arch.json to get a freshly initialised PyTorch module.`,
      );
    }
    const { architecture, info } = readInfo(archFile);
    const { weights, bnMomentum } = await loadWeights(target, architecture);
    return { architecture, info, archFile, runDir: target, weights, bnMomentum, noWeightsReason: '', name: nameOf(archFile, info) };
  }
  const { architecture, info } = readInfo(target);
  const name = nameOf(target, info);
  let noWeightsReason = `${target} names no run (provenance.runId), so there are no trained weights`;
  for (const runDir of await candidateRunDirs(target, info)) {
    const runArch = path.join(runDir, RESULT_ARCH_FILE);
    if (!fs.existsSync(runArch) || !fs.existsSync(path.join(runPaths(runDir).modelDir, MODEL_JSON))) {
      noWeightsReason = `the run ${info.provenance?.runId ?? ''} it came from is not in ${path.dirname(runDir)} (or has no model/)`;
      continue;
    }
    if (!sameArchitecture(readInfo(runArch).architecture, architecture)) {
      noWeightsReason = `the run folder ${runDir} holds a different architecture than ${target} (the file was edited, or comes from another run)`;
      continue;
    }
    const { weights, bnMomentum } = await loadWeights(runDir, architecture);
    return { architecture, info, archFile: target, runDir, weights, bnMomentum, noWeightsReason: '', name };
  }
  return { architecture, info, archFile: target, runDir: null, weights: null, bnMomentum: DEFAULT_BN_MOMENTUM, noWeightsReason, name };
}

/** What a run that has just finished exports (outputs.export): its architecture document and the model in memory. */
export function finishedRunSource(doc: { architecture: Architecture } & ArchDocumentInfo, archFile: string, runDir: string, weights: TfWeights, bnMomentum: number): ExportSource {
  const info: ArchDocumentInfo = { metrics: doc.metrics, provenance: doc.provenance };
  return { architecture: doc.architecture, info, archFile, runDir, weights, bnMomentum, noWeightsReason: '', name: nameOf(archFile, info) };
}

/** onnx metadata_props and the safetensors `__metadata__`: provenance and metrics as strings. */
export function exportMetadata(source: Pick<ExportSource, 'architecture' | 'info'>): Record<string, string> {
  const p = source.info.provenance ?? {};
  const m = source.info.metrics ?? {};
  const entries: [string, string | undefined][] = [
    ['resbuilder.exporter', `ResBuilder Studio ${studioVersion}`],
    ['resbuilder.blockStyle', source.architecture.blockStyle],
    ['resbuilder.runId', p.runId],
    ['resbuilder.createdAt', p.createdAt],
    ['resbuilder.configFile', p.configFile],
    ['resbuilder.configHash', p.configHash],
    ['resbuilder.seed', p.seed === undefined ? undefined : String(p.seed)],
    ['resbuilder.backend', p.backend],
    ['resbuilder.dataset', p.dataset?.name],
    ['resbuilder.datasetFingerprint', p.dataset?.fingerprint],
    ['resbuilder.testAccuracy', m.testAccuracy === undefined ? undefined : String(m.testAccuracy)],
    ['resbuilder.params', m.params === undefined ? undefined : String(m.params)],
    ['resbuilder.flops', m.flops === undefined ? undefined : String(m.flops)],
    ['resbuilder.versions', p.versions ? JSON.stringify(p.versions) : undefined],
    ['resbuilder.architecture', JSON.stringify(JSON.parse(serializeArchitecture(source.architecture)))],
  ];
  return Object.fromEntries(entries.filter((e): e is [string, string] => e[1] !== undefined));
}

/** A Python module name for the file name: letters, digits and "_", not starting with a digit. */
export function pythonModuleName(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

function provenanceLines(source: ExportSource): string[] {
  const p = source.info.provenance ?? {};
  const m = source.info.metrics ?? {};
  const lines = [`Generated by ResBuilder Studio ${studioVersion} from ${path.basename(source.archFile)}.`];
  const facts: string[] = [];
  if (p.runId) facts.push(`run ${p.runId}`);
  if (p.configFile) facts.push(`config ${p.configFile}`);
  if (p.configHash) facts.push(`config hash ${p.configHash}`);
  if (p.seed !== undefined) facts.push(`seed ${p.seed}`);
  if (p.dataset?.name) facts.push(`dataset ${p.dataset.name}`);
  if (m.testAccuracy !== undefined) facts.push(`test accuracy ${(m.testAccuracy * 100).toFixed(2)} %`);
  if (facts.length > 0) lines.push(`Found by ${facts.join(', ')}.`);
  lines.push(source.weights ? 'The trained weights are in the .safetensors file next to this one.' : 'No trained weights were exported: Net() starts freshly initialised.');
  return lines;
}

/** Writes `path` through a temporary name, so an interrupted export never leaves half a file. */
function writeAtomically(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Writes the requested formats into `outDir`; returns the files written. */
export function writeExports(source: ExportSource, formats: readonly ExportFormat[], outDir: string): string[] {
  let graph;
  try {
    graph = exportGraph(source.architecture);
  } catch (error) {
    if (error instanceof ArchitectureError) throw new ExportError(`${source.archFile}: ${error.message}`);
    throw error;
  }
  if (formats.includes('onnx') && !source.weights) {
    throw new ExportError(
      `${source.archFile}: ONNX export needs the trained weights, and ${source.noWeightsReason}. Fix: export the run folder (resbuilder export .resbuilder/runs/<run-id> --format onnx), or use --format pytorch for a freshly initialised module.`,
    );
  }
  let weights;
  try {
    weights = source.weights ? exportedWeights(graph, source.weights) : null;
  } catch (error) {
    if (error instanceof ExportWeightsError) throw new ExportError(`${source.runDir ?? source.archFile}: ${error.message}`);
    throw error;
  }
  fs.mkdirSync(outDir, { recursive: true });
  const metadata = exportMetadata(source);
  const written: string[] = [];
  if (formats.includes('onnx') && weights) {
    const file = path.join(outDir, `${source.name}.onnx`);
    writeAtomically(file, encodeOnnx({ graph, weights, metadata, producerVersion: studioVersion, docString: provenanceLines(source).join(' ') }));
    written.push(file);
  }
  if (formats.includes('pytorch')) {
    const moduleName = pythonModuleName(source.name);
    const weightsFile = weights ? `${moduleName}.safetensors` : null;
    const py = path.join(outDir, `${moduleName}.py`);
    writeAtomically(py, pytorchSource(graph, { lines: provenanceLines(source), moduleName, weightsFile }, source.bnMomentum));
    written.push(py);
    if (weights && weightsFile) {
      const file = path.join(outDir, weightsFile);
      writeAtomically(file, encodeSafetensors(pytorchStateDict(graph, weights), metadata));
      written.push(file);
    }
  }
  return written;
}
