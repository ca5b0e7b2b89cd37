/**
 * Writes a model as `model.json` + `weights.bin`, the layout `tf.loadLayersModel` reads. Plain
 * `@tensorflow/tfjs` has no `file://` handler in Node, so saving goes through a custom save
 * handler and loading through `tf.io.fromMemory`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

export interface ExportedModel {
  modelJsonPath: string;
  weightsPath: string;
  weightBytes: number;
}

export async function exportModel(model: tf.LayersModel, dir: string): Promise<ExportedModel> {
  await mkdir(dir, { recursive: true });
  const modelJsonPath = join(dir, MODEL_JSON);
  const weightsPath = join(dir, WEIGHTS_BIN);
  let weightBytes = 0;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      // Stryker disable next-line ConditionalExpression: a LayersModel always saves its weightData (empty without weights); the guard is for the type.
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      weightBytes = weights.byteLength;
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        // Stryker disable next-line ArrayDeclaration: a LayersModel always saves its weightSpecs (empty without weights); the default is for the type.
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(weightsPath, new Uint8Array(weights));
      await writeFile(modelJsonPath, `${JSON.stringify(modelJson)}\n`);
      // Stryker disable next-line ObjectLiteral: model.save hands this result back, and exportModel does not use it.
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return { modelJsonPath, weightsPath, weightBytes };
}

/** Loads what exportModel wrote (single weights file, as exportModel writes it). */
export async function loadExportedModel(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
  const buffers = await Promise.all(json.weightsManifest.flatMap((group) => group.paths.map((p) => readFile(join(dir, p)))));
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
      weightData,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
    }),
  );
}
