/** The TF.js model of an architecture graph: build, weights by graph id, carry-over, export. */
export { buildModel, type BuildOptions } from './build';
export { tfLayerName, CLASSIFIER_NAME, INPUT_NAME, type LayerRole } from './names';
export { backingVariable, layerVariables, layerWeight, trainableVariables, type GraphLayerVariables } from './variables';
export { transferWeights, type TransferReport } from './transfer';
export { exportModel, loadExportedModel, MODEL_JSON, WEIGHTS_BIN, type ExportedModel } from './export';
export { foldForInference, type InferenceNet } from './inference';
