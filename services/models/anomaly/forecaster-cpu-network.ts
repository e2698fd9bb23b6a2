import * as tf from '@tensorflow/tfjs';
import { type ForecasterSpec, fromResidualOutputs } from './forecaster-model.js';

/**
 * The forecaster of forecaster-model.ts (LSTM -> Dense plus the linear highway over the flattened
 * window) evaluated on plain arrays, forward and backward, with the same weights in tfjs' layouts.
 * Why: the online detector trains a tiny network (batch 64, 24 steps, 16 units) hundreds of times
 * per stream, and through tfjs every one of the ~1,500 kernels of a training step costs tens of
 * microseconds of dispatch and gradient-tape bookkeeping, several times the arithmetic itself.
 * The maths is tfjs-layers' LSTM (gates i, f, c, o; hard-sigmoid gates 0.2 x + 0.5 clipped to
 * [0, 1], tanh cell and output activations, zero initial state) and the Huber loss (delta 1,
 * mean over the batch); sums run in double precision and weights are kept as float32, so results
 * equal tfjs' to float32 rounding, not bit for bit. Every row is computed on its own, so a row's
 * forecast never depends on the rows computed with it.
 */
export interface ForecasterWeights {
  /** [F_in, 4U], LSTM input kernel. */
  kernel: Float32Array;
  /** [U, 4U]. */
  recurrent: Float32Array;
  /** [4U]. */
  bias: Float32Array;
  /** [U, F_out], the 'forecast' Dense on the last hidden state. */
  dense: Float32Array;
  /** [F_out]. */
  denseBias: Float32Array;
  /** [L * F_in, F_out], the 'highway' Dense (no bias) on the flattened window. */
  highway: Float32Array;
}

export const WEIGHT_NAMES = ['kernel', 'recurrent', 'bias', 'dense', 'denseBias', 'highway'] as const;

/** tfjs computes the hard sigmoid in float32: these are its constants. */
const SLOPE = Math.fround(0.2);
const HALF = 0.5;

/**
 * tanh through expm1, ~1.5x faster than Math.tanh here (the forward pass calls it 2 x L x U times
 * per row) and equal to it within a few double ulps; +-1 beyond |x| = 20 as in double precision.
 */
function tanh(x: number): number {
  if (x > 20) return 1;
  if (x < -20) return -1;
  const e = Math.expm1(2 * x);
  return e / (e + 2);
}

/** Reads the weights of a model built by buildForecaster. */
export function readForecasterWeights(model: tf.LayersModel): ForecasterWeights {
  const read = (layer: string, count: number): Float32Array[] => {
    const ws = model.getLayer(layer).getWeights();
    if (ws.length !== count) {
      throw new RangeError(`forecaster layer ${layer} should hold ${count} weight tensors, got ${ws.length}`);
    }
    return ws.map((w) => Float32Array.from(w.dataSync() as Float32Array));
  };
  const [kernel, recurrent, bias] = read('lstm', 3) as [Float32Array, Float32Array, Float32Array];
  const [dense, denseBias] = read('forecast', 2) as [Float32Array, Float32Array];
  const [highway] = read('highway', 1) as [Float32Array];
  return { kernel, recurrent, bias, dense, denseBias, highway };
}

/** Writes the weights into the model's layers (e.g. after training them here). */
export function writeForecasterWeights(model: tf.LayersModel, w: ForecasterWeights): void {
  const set = (layer: string, arrays: Float32Array[]): void => {
    const l = model.getLayer(layer);
    const shapes = l.getWeights().map((t) => t.shape);
    const tensors = arrays.map((a, i) => tf.tensor(a, shapes[i]));
    try {
      l.setWeights(tensors);
    } finally {
      tf.dispose(tensors);
    }
  };
  set('lstm', [w.kernel, w.recurrent, w.bias]);
  set('forecast', [w.dense, w.denseBias]);
  set('highway', [w.highway]);
}

/** Zeroed arrays of the weights' shapes (gradients, optimizer moments). */
export function zerosLikeWeights<T extends Float32Array | Float64Array>(
  w: ForecasterWeights,
  make: (n: number) => T,
): Record<(typeof WEIGHT_NAMES)[number], T> {
  return {
    kernel: make(w.kernel.length),
    recurrent: make(w.recurrent.length),
    bias: make(w.bias.length),
    dense: make(w.dense.length),
    denseBias: make(w.denseBias.length),
    highway: make(w.highway.length),
  };
}

export type WeightGradients = Record<(typeof WEIGHT_NAMES)[number], Float64Array>;

export class CpuForecaster {
  readonly seqLen: number;
  readonly fin: number;
  readonly fout: number;
  readonly units: number;
  // Per-row state of the last forward pass, kept for the backward pass: index t * U + u.
  private readonly h: Float64Array;
  private readonly c: Float64Array;
  private readonly gi: Float64Array;
  private readonly gf: Float64Array;
  private readonly gc: Float64Array;
  private readonly go: Float64Array;
  private readonly tc: Float64Array;
  /** Hard-sigmoid pass masks (1 inside [0, 1], inclusive as in tfjs' clipByValue gradient). */
  private readonly mi: Uint8Array;
  private readonly mf: Uint8Array;
  private readonly mo: Uint8Array;
  private readonly z: Float64Array;
  /** Gate gradients of the current step, [4U], and of all steps of the row, [4U, L]. */
  private readonly dz: Float64Array;
  private readonly dzT: Float64Array;
  /** h_(t-1) of the row as [U, L] and its inputs as [F_in, L]. */
  private readonly hT: Float64Array;
  private readonly xT: Float64Array;
  private readonly dh: Float64Array;
  private readonly dc: Float64Array;
  private readonly out: Float64Array;

  constructor(
    readonly spec: ForecasterSpec,
    readonly weights: ForecasterWeights,
  ) {
    this.seqLen = spec.seqLen;
    this.fin = spec.inputFeatures.length;
    this.fout = spec.targetFeatures.length;
    this.units = spec.units;
    const L = this.seqLen;
    const U = this.units;
    const G = 4 * U;
    const expect: Record<(typeof WEIGHT_NAMES)[number], number> = {
      kernel: this.fin * G,
      recurrent: U * G,
      bias: G,
      dense: U * this.fout,
      denseBias: this.fout,
      highway: L * this.fin * this.fout,
    };
    for (const name of WEIGHT_NAMES) {
      if (weights[name].length !== expect[name]) {
        throw new RangeError(
          `forecaster weight ${name} should hold ${expect[name]} values, got ${weights[name].length}`,
        );
      }
    }
    this.h = new Float64Array((L + 1) * U);
    this.c = new Float64Array((L + 1) * U);
    this.gi = new Float64Array(L * U);
    this.gf = new Float64Array(L * U);
    this.gc = new Float64Array(L * U);
    this.go = new Float64Array(L * U);
    this.tc = new Float64Array(L * U);
    this.mi = new Uint8Array(L * U);
    this.mf = new Uint8Array(L * U);
    this.mo = new Uint8Array(L * U);
    this.z = new Float64Array(G);
    this.dz = new Float64Array(G);
    this.dzT = new Float64Array(G * L);
    this.hT = new Float64Array(U * L);
    this.xT = new Float64Array(this.fin * L);
    this.dh = new Float64Array(U);
    this.dc = new Float64Array(U);
    this.out = new Float64Array(this.fout);
  }

  static fromModel(model: tf.LayersModel, spec: ForecasterSpec): CpuForecaster {
    return new CpuForecaster(spec, readForecasterWeights(model));
  }

  /**
   * Forecasts in scaled target units for row-major [count, L, F_in] inputs: the same contract as
   * ForecasterRuntime.forecast (residual outputs have the last input values added back).
   */
  forecast(inputs: Float32Array, count: number): Float32Array {
    const rowSize = this.seqLen * this.fin;
    if (inputs.length < count * rowSize) {
      throw new RangeError(
        `forecast inputs must hold ${count} x ${this.seqLen} x ${this.fin} values, got ${inputs.length}`,
      );
    }
    const result = new Float32Array(count * this.fout);
    for (let b = 0; b < count; b++) {
      this.forwardRow(inputs, b * rowSize);
      for (let k = 0; k < this.fout; k++) result[b * this.fout + k] = this.out[k] as number;
    }
    fromResidualOutputs(this.spec, inputs, result, count);
    return result;
  }

  /**
   * Mean Huber loss (delta 1) of the raw network outputs of `count` rows against `targets`
   * ([count, F_out], already residual for a residual spec), and its gradient with respect to
   * every weight, written into `grads` (overwritten).
   */
  lossAndGradients(
    inputs: Float32Array,
    targets: Float32Array,
    count: number,
    grads: WeightGradients,
  ): number {
    for (const name of WEIGHT_NAMES) grads[name].fill(0);
    const rowSize = this.seqLen * this.fin;
    const scale = 1 / (count * this.fout);
    let loss = 0;
    const dOut = new Float64Array(this.fout);
    for (let b = 0; b < count; b++) {
      this.forwardRow(inputs, b * rowSize);
      for (let k = 0; k < this.fout; k++) {
        const diff = (this.out[k] as number) - (targets[b * this.fout + k] as number);
        const e = Math.abs(diff);
        loss += e <= 1 ? 0.5 * e * e : e - 0.5;
        // d huber / d e is e inside the delta and 1 outside; d e / d out is the sign of diff.
        dOut[k] = Math.min(e, 1) * (diff > 0 ? 1 : -1) * scale;
      }
      this.backwardRow(inputs, b * rowSize, dOut, grads);
    }
    return loss * scale;
  }

  /** One row's forward pass; leaves its states in the buffers and its raw outputs in `out`. */
  private forwardRow(x: Float32Array, offset: number): void {
    const { kernel, recurrent, bias, dense, denseBias, highway } = this.weights;
    const { h, c, z } = this;
    const L = this.seqLen;
    const F = this.fin;
    const U = this.units;
    const G = 4 * U;
    h.fill(0, 0, U);
    c.fill(0, 0, U);
    for (let t = 0; t < L; t++) {
      const xo = offset + t * F;
      const ho = t * U;
      // Eight (then four) gates at a time: independent sums keep the FPU busy (one sum alone is
      // latency-bound). G = 4U is a multiple of 4.
      let g = 0;
      for (; g + 8 <= G; g += 8) {
        let s0 = bias[g] as number;
        let s1 = bias[g + 1] as number;
        let s2 = bias[g + 2] as number;
        let s3 = bias[g + 3] as number;
        let s4 = bias[g + 4] as number;
        let s5 = bias[g + 5] as number;
        let s6 = bias[g + 6] as number;
        let s7 = bias[g + 7] as number;
        for (let f = 0; f < F; f++) {
          const xv = x[xo + f] as number;
          const k = f * G + g;
          s0 += xv * (kernel[k] as number);
          s1 += xv * (kernel[k + 1] as number);
          s2 += xv * (kernel[k + 2] as number);
          s3 += xv * (kernel[k + 3] as number);
          s4 += xv * (kernel[k + 4] as number);
          s5 += xv * (kernel[k + 5] as number);
          s6 += xv * (kernel[k + 6] as number);
          s7 += xv * (kernel[k + 7] as number);
        }
        for (let u = 0; u < U; u++) {
          const hv = h[ho + u] as number;
          const k = u * G + g;
          s0 += hv * (recurrent[k] as number);
          s1 += hv * (recurrent[k + 1] as number);
          s2 += hv * (recurrent[k + 2] as number);
          s3 += hv * (recurrent[k + 3] as number);
          s4 += hv * (recurrent[k + 4] as number);
          s5 += hv * (recurrent[k + 5] as number);
          s6 += hv * (recurrent[k + 6] as number);
          s7 += hv * (recurrent[k + 7] as number);
        }
        z[g] = s0;
        z[g + 1] = s1;
        z[g + 2] = s2;
        z[g + 3] = s3;
        z[g + 4] = s4;
        z[g + 5] = s5;
        z[g + 6] = s6;
        z[g + 7] = s7;
      }
      for (; g < G; g += 4) {
        let s0 = bias[g] as number;
        let s1 = bias[g + 1] as number;
        let s2 = bias[g + 2] as number;
        let s3 = bias[g + 3] as number;
        for (let f = 0; f < F; f++) {
          const xv = x[xo + f] as number;
          const k = f * G + g;
          s0 += xv * (kernel[k] as number);
          s1 += xv * (kernel[k + 1] as number);
          s2 += xv * (kernel[k + 2] as number);
          s3 += xv * (kernel[k + 3] as number);
        }
        for (let u = 0; u < U; u++) {
          const hv = h[ho + u] as number;
          const k = u * G + g;
          s0 += hv * (recurrent[k] as number);
          s1 += hv * (recurrent[k + 1] as number);
          s2 += hv * (recurrent[k + 2] as number);
          s3 += hv * (recurrent[k + 3] as number);
        }
        z[g] = s0;
        z[g + 1] = s1;
        z[g + 2] = s2;
        z[g + 3] = s3;
      }
      for (let u = 0; u < U; u++) {
        const yi = SLOPE * (z[u] as number) + HALF;
        const yf = SLOPE * (z[U + u] as number) + HALF;
        const yo = SLOPE * (z[3 * U + u] as number) + HALF;
        const i = Math.min(1, Math.max(0, yi));
        const fg = Math.min(1, Math.max(0, yf));
        const o = Math.min(1, Math.max(0, yo));
        const cand = tanh(z[2 * U + u] as number);
        const cell = fg * (c[ho + u] as number) + i * cand;
        const tcell = tanh(cell);
        const so = ho + u;
        this.gi[so] = i;
        this.gf[so] = fg;
        this.gc[so] = cand;
        this.go[so] = o;
        this.tc[so] = tcell;
        this.mi[so] = yi >= 0 && yi <= 1 ? 1 : 0;
        this.mf[so] = yf >= 0 && yf <= 1 ? 1 : 0;
        this.mo[so] = yo >= 0 && yo <= 1 ? 1 : 0;
        c[ho + U + u] = cell;
        h[ho + U + u] = o * tcell;
      }
    }
    const last = L * U;
    const flat = L * F;
    for (let k = 0; k < this.fout; k++) {
      let s = denseBias[k] as number;
      for (let u = 0; u < U; u++) s += (h[last + u] as number) * (dense[u * this.fout + k] as number);
      for (let j = 0; j < flat; j++) s += (x[offset + j] as number) * (highway[j * this.fout + k] as number);
      this.out[k] = s;
    }
  }

  /**
   * Adds the gradient of one row (upstream gradient dOut on its raw outputs) to `grads`. The
   * gate gradients of all steps are collected first ([G, L]) and the kernel gradients then summed
   * over the steps in one pass, instead of one read-modify-write per step.
   */
  private backwardRow(x: Float32Array, offset: number, dOut: Float64Array, grads: WeightGradients): void {
    const { recurrent, dense } = this.weights;
    const L = this.seqLen;
    const F = this.fin;
    const U = this.units;
    const G = 4 * U;
    const fout = this.fout;
    const { h, c, dz, dzT, dh, dc } = this;
    const last = L * U;
    const flat = L * F;
    dh.fill(0);
    dc.fill(0);
    for (let k = 0; k < fout; k++) {
      const d = dOut[k] as number;
      if (d === 0) continue;
      grads.denseBias[k] = (grads.denseBias[k] as number) + d;
      for (let u = 0; u < U; u++) {
        grads.dense[u * fout + k] = (grads.dense[u * fout + k] as number) + (h[last + u] as number) * d;
        dh[u] = (dh[u] as number) + d * (dense[u * fout + k] as number);
      }
      for (let j = 0; j < flat; j++) {
        grads.highway[j * fout + k] = (grads.highway[j * fout + k] as number) + (x[offset + j] as number) * d;
      }
    }
    for (let t = L - 1; t >= 0; t--) {
      const ho = t * U; // h_(t-1) and c_(t-1) live at row t of h / c; step t's gates at row t
      for (let u = 0; u < U; u++) {
        const so = ho + u;
        const tcell = this.tc[so] as number;
        const o = this.go[so] as number;
        const cand = this.gc[so] as number;
        const dhu = dh[u] as number;
        const dcell = (dc[u] as number) + dhu * o * (1 - tcell * tcell);
        const dzi = this.mi[so] ? dcell * cand * SLOPE : 0;
        const dzf = this.mf[so] ? dcell * (c[so] as number) * SLOPE : 0;
        const dzc = dcell * (this.gi[so] as number) * (1 - cand * cand);
        const dzo = this.mo[so] ? dhu * tcell * SLOPE : 0;
        dz[u] = dzi;
        dz[U + u] = dzf;
        dz[2 * U + u] = dzc;
        dz[3 * U + u] = dzo;
        dzT[u * L + t] = dzi;
        dzT[(U + u) * L + t] = dzf;
        dzT[(2 * U + u) * L + t] = dzc;
        dzT[(3 * U + u) * L + t] = dzo;
        dc[u] = dcell * (this.gf[so] as number);
      }
      if (t === 0) break; // h_(-1) = 0: nothing flows further back
      for (let u = 0; u < U; u++) {
        const wo = u * G;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let g = 0; g < G; g += 4) {
          s0 += (dz[g] as number) * (recurrent[wo + g] as number);
          s1 += (dz[g + 1] as number) * (recurrent[wo + g + 1] as number);
          s2 += (dz[g + 2] as number) * (recurrent[wo + g + 2] as number);
          s3 += (dz[g + 3] as number) * (recurrent[wo + g + 3] as number);
        }
        dh[u] = s0 + s1 + s2 + s3;
      }
    }
    const { hT, xT } = this;
    for (let u = 0; u < U; u++) for (let t = 0; t < L; t++) hT[u * L + t] = h[t * U + u] as number;
    for (let f = 0; f < F; f++) for (let t = 0; t < L; t++) xT[f * L + t] = x[offset + t * F + f] as number;
    const gK = grads.kernel;
    const gR = grads.recurrent;
    const gB = grads.bias;
    for (let g = 0; g < G; g++) {
      const dzo = g * L;
      let sb = 0;
      for (let t = 0; t < L; t++) sb += dzT[dzo + t] as number;
      gB[g] = (gB[g] as number) + sb;
    }
    addStepSums(dzT, G, L, xT, F, gK);
    addStepSums(dzT, G, L, hT, U, gR);
  }
}

/**
 * into[r, g] += sum_t src[r, t] * dz[g, t] for rows r < rows and gates g < G (G a multiple of 4):
 * four gates at a time, so the sums are independent (one sum alone is latency-bound).
 */
function addStepSums(
  dz: Float64Array,
  G: number,
  L: number,
  src: Float64Array,
  rows: number,
  into: Float64Array,
): void {
  for (let g = 0; g < G; g += 4) {
    const d0 = g * L;
    const d1 = d0 + L;
    const d2 = d1 + L;
    const d3 = d2 + L;
    for (let r = 0; r < rows; r++) {
      const so = r * L;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let t = 0; t < L; t++) {
        const v = src[so + t] as number;
        s0 += v * (dz[d0 + t] as number);
        s1 += v * (dz[d1 + t] as number);
        s2 += v * (dz[d2 + t] as number);
        s3 += v * (dz[d3 + t] as number);
      }
      const k = r * G + g;
      into[k] = (into[k] as number) + s0;
      into[k + 1] = (into[k + 1] as number) + s1;
      into[k + 2] = (into[k + 2] as number) + s2;
      into[k + 3] = (into[k + 3] as number) + s3;
    }
  }
}
