/**
 * Weights as the exporters take them: each TF.js weight's values by its name
 * (`<layer>/<param>`), turned into the exported layout (OIHW conv kernels, [out, in] dense
 * kernels) by the permutation its ExportParam names.
 */
import type { ExportGraph, ExportParam } from './graph';

/** TF.js weight name → values in TF.js layout (row-major, as `dataSync` returns them). */
export type TfWeights = ReadonlyMap<string, Float32Array>;

export class ExportWeightsError extends Error {}

/** Row-major transpose of `data` with shape `shape` by `perm` (the output's axis i is the input's axis perm[i]). */
export function transpose(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const rank = shape.length;
  const outShape = perm.map((axis) => shape[axis]);
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1] * shape[i + 1];
  const stridesByOutAxis = perm.map((axis) => inStrides[axis]);
  const out = new Float32Array(data.length);
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let source = 0;
    for (let i = 0; i < rank; i++) source += index[i] * stridesByOutAxis[i];
    out[o] = data[source];
    // Stryker disable next-line ArithmeticOperator: from `rank`, the first step compares NaN with undefined, resets a slot past the shape and goes on as from `rank - 1`
    for (let i = rank - 1; i >= 0; i--) {
      if (++index[i] < outShape[i]) break;
      index[i] = 0;
    }
  }
  return out;
}

/** One parameter's values in the exported layout; fails naming the weight when it is missing or mis-sized. */
export function exportedValues(param: ExportParam, weights: TfWeights): Float32Array {
  const data = weights.get(param.tfName);
  if (!data) throw new ExportWeightsError(`The trained model has no weight "${param.tfName}"; the weights do not belong to this architecture. Export the run folder the architecture came from.`);
  const size = param.tfShape.reduce((a, b) => a * b, 1);
  if (data.length !== size) {
    throw new ExportWeightsError(`The trained weight "${param.tfName}" has ${data.length} values where the architecture needs ${size} (${param.tfShape.join('×')}); the weights do not belong to this architecture.`);
  }
  return param.perm ? transpose(data, param.tfShape, param.perm) : data;
}

/** Every parameter of the graph in the exported layout, by PyTorch name; checks that no weight is left over. */
export function exportedWeights(graph: ExportGraph, weights: TfWeights): Map<string, { param: ExportParam; values: Float32Array }> {
  const out = new Map<string, { param: ExportParam; values: Float32Array }>();
  for (const param of graph.params) out.set(param.torchName, { param, values: exportedValues(param, weights) });
  const used = new Set(graph.params.map((p) => p.tfName));
  const extra = [...weights.keys()].filter((name) => !used.has(name));
  if (extra.length > 0) throw new ExportWeightsError(`The trained model has weights the architecture does not describe (${extra.slice(0, 3).join(', ')}${extra.length > 3 ? ', ...' : ''}); the weights do not belong to this architecture.`);
  return out;
}
