import {
  bytesField,
  concat,
  type Field,
  floatField,
  intField,
  messageField,
  stringField,
} from './proto-writer.js';

/**
 * Builders for the ONNX messages the risk exporter emits (field numbers from onnx.proto, IR 8,
 * default-domain opset 17). Only float32 / int64 tensors and the attribute kinds in use.
 */
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;

const FLOAT = 1;
const INT64 = 7;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;
const ATTR_STRINGS = 8;

export type Attribute =
  | { name: string; int: number }
  | { name: string; float: number }
  | { name: string; ints: readonly number[] }
  | { name: string; strings: readonly string[] };

export interface OnnxNode {
  op: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: readonly Attribute[];
}

export interface OnnxInitializer {
  name: string;
  dims: readonly number[];
  data: Float32Array | BigInt64Array;
}

/** A graph input or output: float32 with a symbolic batch dimension where the dim is a string. */
export interface OnnxValue {
  name: string;
  dims: readonly (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxInitializer[];
  inputs: readonly OnnxValue[];
  outputs: readonly OnnxValue[];
}

function attribute(a: Attribute): Field {
  const parts: Field[] = [stringField(1, a.name)];
  if ('int' in a) parts.push(intField(3, a.int), intField(20, ATTR_INT));
  else if ('float' in a) parts.push(floatField(2, a.float), intField(20, ATTR_FLOAT));
  else if ('ints' in a) parts.push(...a.ints.map((i) => intField(8, i)), intField(20, ATTR_INTS));
  else parts.push(...a.strings.map((s) => stringField(9, s)), intField(20, ATTR_STRINGS));
  return concat(parts);
}

function node(n: OnnxNode): Field {
  return concat([
    ...n.inputs.map((i) => stringField(1, i)),
    ...n.outputs.map((o) => stringField(2, o)),
    stringField(3, n.name),
    stringField(4, n.op),
    ...(n.attributes ?? []).map((a) => messageField(5, [attribute(a)])),
  ]);
}

function tensor(t: OnnxInitializer): Field {
  const raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return concat([
    ...t.dims.map((d) => intField(1, d)),
    intField(2, t.data instanceof Float32Array ? FLOAT : INT64),
    stringField(8, t.name),
    bytesField(9, raw),
  ]);
}

function valueInfo(v: OnnxValue): Field {
  const dims = v.dims.map((d) =>
    messageField(1, [typeof d === 'number' ? intField(1, d) : stringField(2, d)]),
  );
  const tensorType = messageField(1, [intField(1, FLOAT), messageField(2, dims)]);
  return concat([stringField(1, v.name), messageField(2, [tensorType])]);
}

/** Serialises a ModelProto holding the graph. */
export function encodeModel(graph: OnnxGraph, producer: { name: string; version: string }): Uint8Array {
  const g = concat([
    ...graph.nodes.map((n) => messageField(1, [node(n)])),
    stringField(2, graph.name),
    ...graph.initializers.map((t) => messageField(5, [tensor(t)])),
    ...graph.inputs.map((v) => messageField(11, [valueInfo(v)])),
    ...graph.outputs.map((v) => messageField(12, [valueInfo(v)])),
  ]);
  return concat([
    intField(1, ONNX_IR_VERSION),
    stringField(2, producer.name),
    stringField(3, producer.version),
    messageField(7, [g]),
    messageField(8, [stringField(1, ''), intField(2, ONNX_OPSET)]),
  ]);
}
