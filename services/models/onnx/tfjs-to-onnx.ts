import type * as tf from '@tensorflow/tfjs';
import { encodeModel, type OnnxGraph, type OnnxInitializer, type OnnxNode } from './onnx-graph.js';

/**
 * Exports a tfjs LayersModel built from the layers the risk model uses (Input, LSTM with
 * returnSequences false, Dense, Dropout, Concatenate, Add) to an ONNX graph with the same input
 * and output names and a symbolic batch dimension N. Any other layer or option throws, so a model
 * change cannot silently export something different; parity is checked again at load.
 */
export function exportToOnnx(model: tf.LayersModel): Uint8Array {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxInitializer[] = [];
  /** Layer name -> name of the ONNX value holding its output (Dropout aliases its input). */
  const valueName = new Map<string, string>();
  const inbound = (layer: tf.layers.Layer): string[] => {
    const node = layer.inboundNodes[0];
    if (!node) throw new Error(`layer ${layer.name} has no inbound node`);
    return node.inboundLayers.map((l) => {
      const v = valueName.get(l.name);
      if (v === undefined) throw new Error(`layer ${layer.name}: input ${l.name} not exported yet`);
      return v;
    });
  };
  const weight = (name: string, dims: number[], data: Float32Array | BigInt64Array) => {
    initializers.push({ name, dims, data });
    return name;
  };

  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const cfg = layer.getConfig();
    const out = layer.name;
    switch (cls) {
      case 'InputLayer':
        valueName.set(out, out);
        break;
      case 'Dropout':
        valueName.set(out, inbound(layer)[0] as string);
        break;
      case 'Concatenate':
        if (cfg.axis !== -1 && cfg.axis !== 1) throw new Error(`${out}: concat axis ${String(cfg.axis)}`);
        nodes.push({
          op: 'Concat',
          name: out,
          inputs: inbound(layer),
          outputs: [out],
          attributes: [{ name: 'axis', int: 1 }],
        });
        valueName.set(out, out);
        break;
      case 'Add': {
        const ins = inbound(layer);
        let acc = ins[0] as string;
        ins.slice(1).forEach((x, i) => {
          const o = i === ins.length - 2 ? out : `${out}/add${i}`;
          nodes.push({ op: 'Add', name: o, inputs: [acc, x], outputs: [o] });
          acc = o;
        });
        valueName.set(out, out);
        break;
      }
      case 'Dense':
        exportDense(layer, inbound(layer)[0] as string, nodes, weight);
        valueName.set(out, out);
        break;
      case 'LSTM':
        exportLstm(layer, inbound(layer)[0] as string, nodes, weight);
        valueName.set(out, out);
        break;
      default:
        throw new Error(`ONNX export: layer ${out} of class ${cls} is not supported`);
    }
  }

  const dims = (shape: (number | null)[]) => shape.map((d) => (d === null ? 'N' : d));
  const outputs = model.outputs.map((t) => {
    const name = t.sourceLayer.name;
    const v = valueName.get(name) as string;
    if (v !== name) nodes.push({ op: 'Identity', name: `${name}/out`, inputs: [v], outputs: [name] });
    return { name, dims: dims(t.shape) };
  });
  const graph: OnnxGraph = {
    name: model.name,
    nodes,
    initializers,
    inputs: model.inputs.map((t) => ({ name: t.sourceLayer.name, dims: dims(t.shape) })),
    outputs,
  };
  return encodeModel(graph, { name: 'risk-monitor tfjs-to-onnx', version: '1' });
}

type AddWeight = (name: string, dims: number[], data: Float32Array | BigInt64Array) => string;

const DENSE_ACTIVATIONS: Record<string, string | null> = {
  linear: null,
  relu: 'Relu',
  sigmoid: 'Sigmoid',
  softplus: 'Softplus',
  tanh: 'Tanh',
};

function exportDense(layer: tf.layers.Layer, input: string, nodes: OnnxNode[], weight: AddWeight): void {
  const cfg = layer.getConfig();
  const activation = String(cfg.activation ?? 'linear');
  if (!(activation in DENSE_ACTIVATIONS)) throw new Error(`${layer.name}: activation ${activation}`);
  const ws = layer.getWeights();
  const kernel = ws[0] as tf.Tensor;
  const [inDim, outDim] = kernel.shape as [number, number];
  const ins = [input, weight(`${layer.name}/kernel`, [inDim, outDim], kernel.dataSync() as Float32Array)];
  if (cfg.useBias !== false)
    ins.push(weight(`${layer.name}/bias`, [outDim], (ws[1] as tf.Tensor).dataSync() as Float32Array));
  const op = DENSE_ACTIVATIONS[activation] ?? null;
  const gemmOut = op === null ? layer.name : `${layer.name}/gemm`;
  nodes.push({ op: 'Gemm', name: gemmOut, inputs: ins, outputs: [gemmOut] });
  if (op !== null) nodes.push({ op, name: layer.name, inputs: [gemmOut], outputs: [layer.name] });
}

/** tfjs / Keras activation names -> ONNX LSTM activation names (ONNX defaults for alpha, beta match). */
const LSTM_ACTIVATIONS: Record<string, string> = {
  sigmoid: 'Sigmoid',
  hardSigmoid: 'HardSigmoid',
  tanh: 'Tanh',
  relu: 'Relu',
};

/**
 * Keras packs the four gates as column blocks [i, f, c, o] of kernel [F, 4H], recurrent kernel
 * [H, 4H] and bias [4H]; ONNX wants row blocks [i, o, f, c] of W [1, 4H, F], R [1, 4H, H] and
 * B [1, 8H] = input biases then recurrent biases (zero: Keras has one bias).
 */
export const KERAS_TO_ONNX_GATES = [0, 3, 1, 2] as const;

export function reorderGates(keras: Float32Array, rows: number, units: number): Float32Array {
  // keras: [rows, 4H] row-major -> onnx: [4H, rows] with gate blocks reordered.
  const out = new Float32Array(4 * units * rows);
  KERAS_TO_ONNX_GATES.forEach((kg, og) => {
    for (let u = 0; u < units; u++) {
      for (let r = 0; r < rows; r++) {
        out[(og * units + u) * rows + r] = keras[r * 4 * units + kg * units + u] as number;
      }
    }
  });
  return out;
}

function exportLstm(layer: tf.layers.Layer, input: string, nodes: OnnxNode[], weight: AddWeight): void {
  const cfg = layer.getConfig();
  for (const flag of ['returnSequences', 'returnState', 'goBackwards', 'stateful'] as const) {
    if (cfg[flag] === true) throw new Error(`${layer.name}: LSTM ${flag} is not supported`);
  }
  if (cfg.useBias === false) throw new Error(`${layer.name}: LSTM without bias is not supported`);
  const gate = LSTM_ACTIVATIONS[String(cfg.recurrentActivation)];
  const cell = LSTM_ACTIVATIONS[String(cfg.activation)];
  if (!gate || !cell)
    throw new Error(
      `${layer.name}: activations ${String(cfg.recurrentActivation)}/${String(cfg.activation)}`,
    );
  const units = Number(cfg.units);
  const [kernel, recurrent, bias] = layer.getWeights() as [tf.Tensor, tf.Tensor, tf.Tensor];
  const features = kernel.shape[0] as number;
  const b = new Float32Array(8 * units);
  b.set(reorderGates(bias.dataSync() as Float32Array, 1, units));
  const n = layer.name;
  const w = weight(
    `${n}/W`,
    [1, 4 * units, features],
    reorderGates(kernel.dataSync() as Float32Array, features, units),
  );
  const r = weight(
    `${n}/R`,
    [1, 4 * units, units],
    reorderGates(recurrent.dataSync() as Float32Array, units, units),
  );
  const bb = weight(`${n}/B`, [1, 8 * units], b);
  const shape = weight(`${n}/shape`, [2], BigInt64Array.from([-1n, BigInt(units)]));
  // tfjs inputs are batch-major [N, L, F]; ONNX LSTM (layout 0) wants [L, N, F].
  nodes.push({
    op: 'Transpose',
    name: `${n}/time_major`,
    inputs: [input],
    outputs: [`${n}/time_major`],
    attributes: [{ name: 'perm', ints: [1, 0, 2] }],
  });
  nodes.push({
    op: 'LSTM',
    name: `${n}/lstm`,
    inputs: [`${n}/time_major`, w, r, bb],
    outputs: ['', `${n}/Y_h`],
    attributes: [
      { name: 'hidden_size', int: units },
      { name: 'activations', strings: [gate, cell, cell] },
    ],
  });
  // Y_h is [1, N, H]: drop the direction axis.
  nodes.push({ op: 'Reshape', name: n, inputs: [`${n}/Y_h`, shape], outputs: [n] });
}
