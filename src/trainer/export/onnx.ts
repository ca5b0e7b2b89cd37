/**
 * Writes the exported graph as an ONNX model (docs/export.md, "ONNX"): opset 13, NCHW, the input
 * `input` [batch, C, H, W] and the output `probabilities` [batch, classes], every weight as an
 * initializer, and the run's provenance as metadata. The protobuf encoding is protobufjs's,
 * against the official `onnx.proto` vendored in `third_party/onnx/`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import type { ExportGraph, ExportOp, ExportParam } from '../../core/export/graph';
import { EXPORT_BN_EPSILON } from '../../core/export/graph';

/** Opset 13 (ONNX 1.8): every operator the graph needs, read by every maintained runtime. */
export const ONNX_OPSET = 13;
/** IR version 7 is the one that opset 13 shipped with. */
export const ONNX_IR_VERSION = 7;

const PROTO_FILE = path.join('third_party', 'onnx', 'onnx.proto');

/** The vendored onnx.proto, found from the source tree (tests) or from dist/ (the bundle). */
function protoPath(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, PROTO_FILE);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`${PROTO_FILE} is missing from the installation; reinstall ResBuilder Studio.`);
  }
}

let root: protobuf.Root | null = null;
function onnxRoot(): protobuf.Root {
  root ??= protobuf.parse(fs.readFileSync(protoPath(), 'utf8'), { keepCase: true }).root;
  return root;
}

const FLOAT = 1;
const INT64 = 7;
// AttributeProto.AttributeType
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

type Attribute = { name: string; type: number; f?: number; i?: number; ints?: number[] };
type Node = { name: string; op_type: string; input: string[]; output: string[]; attribute: Attribute[] };
type Tensor = { name: string; dims: number[]; data_type: number; raw_data?: Uint8Array; int64_data?: number[] };

const ints = (name: string, values: number[]): Attribute => ({ name, type: ATTR_INTS, ints: values });
const int = (name: string, value: number): Attribute => ({ name, type: ATTR_INT, i: value });
const float = (name: string, value: number): Attribute => ({ name, type: ATTR_FLOAT, f: value });

/** Little-endian float32 bytes, whatever the machine's byte order. */
function floatBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytes;
}

export interface OnnxInput {
  graph: ExportGraph;
  /** Values in the exported layout, by PyTorch name (core/export/weights.ts). */
  weights: ReadonlyMap<string, { param: ExportParam; values: Float32Array }>;
  /** metadata_props: provenance and metrics. */
  metadata: Record<string, string>;
  producerVersion: string;
  docString: string;
}

function nodesFor(op: ExportOp, initializer: (param: ExportParam) => string, constant: (name: string, values: number[]) => string): Node[] {
  const node = (opType: string, input: string[], output: string, attribute: Attribute[] = [], name = output): Node => ({ name, op_type: opType, input, output: [output], attribute });
  switch (op.op) {
    case 'conv': {
      const inputs = [op.input, initializer(op.weight), ...(op.bias ? [initializer(op.bias)] : [])];
      return [node('Conv', inputs, op.output, [ints('kernel_shape', [op.kernel, op.kernel]), ints('strides', [op.stride, op.stride]), ints('pads', op.pads), ints('dilations', [1, 1]), int('group', 1)])];
    }
    case 'batchNorm': {
      const p = op.params;
      return [node('BatchNormalization', [op.input, initializer(p.scale), initializer(p.bias), initializer(p.mean), initializer(p.variance)], op.output, [float('epsilon', EXPORT_BN_EPSILON)])];
    }
    case 'relu':
      return [node('Relu', [op.input], op.output)];
    case 'add':
      return [node('Add', op.inputs, op.output)];
    case 'padChannels': {
      // Zero channels appended on axis 1 (NCHW): pads are [begin N, C, H, W, end N, C, H, W];
      // the default mode, 'constant', pads with zeros.
      const pads = constant(`${op.output}_pads`, [0, 0, 0, 0, 0, op.extra, 0, 0]);
      return [node('Pad', [op.input, pads], op.output)];
    }
    case 'pool':
      return [node(op.pool === 'max' ? 'MaxPool' : 'AveragePool', [op.input], op.output, [ints('kernel_shape', op.kernel), ints('strides', [op.stride, op.stride]), ints('pads', [0, 0, 0, 0])])];
    case 'globalAveragePool':
      return [node('GlobalAveragePool', [op.input], `${op.output}_nchw`), node('Flatten', [`${op.output}_nchw`], op.output, [int('axis', 1)])];
    case 'dense': {
      const gemm = [op.input, initializer(op.weight), initializer(op.bias)];
      if (!op.relu) return [node('Gemm', gemm, op.output, [int('transB', 1)])];
      return [node('Gemm', gemm, `${op.output}_linear`, [int('transB', 1)]), node('Relu', [`${op.output}_linear`], op.output)];
    }
    case 'softmax':
      return [node('Softmax', [op.input], op.output, [int('axis', -1)])];
  }
}

/** The ONNX model as bytes. */
export function encodeOnnx(input: OnnxInput): Uint8Array {
  const { graph, weights } = input;
  const initializers: Tensor[] = [];
  const named = new Set<string>();
  const initializer = (param: ExportParam): string => {
    if (named.has(param.torchName)) return param.torchName;
    const entry = weights.get(param.torchName);
    if (!entry) throw new Error(`No values for the weight "${param.torchName}" (${param.tfName}).`);
    initializers.push({ name: param.torchName, dims: param.shape, data_type: FLOAT, raw_data: floatBytes(entry.values) });
    named.add(param.torchName);
    return param.torchName;
  };
  const constant = (name: string, values: number[]): string => {
    initializers.push({ name, dims: [values.length], data_type: INT64, int64_data: values });
    return name;
  };
  const nodes = graph.ops.flatMap((op) => nodesFor(op, initializer, constant));
  const [c, h, w] = graph.inputShape;
  const tensorType = (dims: (number | string)[]) => ({
    tensor_type: { elem_type: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) } },
  });
  const model = {
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: 'ResBuilder Studio',
    producer_version: input.producerVersion,
    doc_string: input.docString,
    graph: {
      name: 'resbuilder',
      node: nodes,
      initializer: initializers,
      input: [{ name: graph.input, type: tensorType(['batch', c, h, w]), doc_string: 'Images, NCHW, normalised as the trainer normalised them (docs/export.md).' }],
      output: [{ name: graph.output, type: tensorType(['batch', graph.numClasses]), doc_string: 'Class probabilities (softmax).' }],
    },
    metadata_props: Object.entries(input.metadata).map(([key, value]) => ({ key, value })),
  };
  const ModelProto = onnxRoot().lookupType('onnx.ModelProto');
  const problem = ModelProto.verify(model);
  if (problem) throw new Error(`The ONNX model does not fit onnx.proto: ${problem}`);
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

/** Decodes an ONNX file (for checks and tests) into a plain object with onnx.proto's field names. */
export function decodeOnnx(bytes: Uint8Array): Record<string, unknown> {
  const ModelProto = onnxRoot().lookupType('onnx.ModelProto');
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, bytes: Array, defaults: false }) as Record<string, unknown>;
}
