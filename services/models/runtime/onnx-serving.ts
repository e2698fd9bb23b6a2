import type { Logger } from '../../shared/logging/logger.js';
import { exportToOnnx } from '../onnx/tfjs-to-onnx.js';
import { OnnxRiskRuntime, type OnnxRiskRuntimeOptions } from './onnx-risk-runtime.js';
import type { RiskRuntime } from './risk-runtime.js';
import { type BatchShape, measureParity, PARITY_TOLERANCE } from './runtime-parity.js';
import type { TfjsRiskRuntime } from './tfjs-risk-runtime.js';

export interface OnnxServingResult {
  runtime: RiskRuntime;
  /** Parity of the ONNX export against tfjs; null when the export or session failed. */
  maxAbsDiff: number | null;
  /** Why tfjs serves instead of onnxruntime-node; null when ONNX serves. */
  fallbackReason: string | null;
}

/**
 * Exports the tfjs model to ONNX, opens it with onnxruntime-node and checks parity against tfjs
 * on a fixed batch. Serves with ONNX when within PARITY_TOLERANCE, otherwise keeps tfjs and logs
 * why. Takes ownership of `tfjs` either way.
 */
export async function preferOnnx(
  tfjs: TfjsRiskRuntime,
  model: Parameters<typeof exportToOnnx>[0],
  shape: BatchShape,
  options: OnnxRiskRuntimeOptions & { logger?: Logger } = {},
): Promise<OnnxServingResult> {
  let onnx: OnnxRiskRuntime;
  try {
    onnx = await OnnxRiskRuntime.create(exportToOnnx(model), tfjs, options);
  } catch (err) {
    const reason = `ONNX export or session failed: ${(err as Error).message}`;
    options.logger?.warn({ model: tfjs.modelVersion, reason }, 'serving the risk model with tfjs');
    return { runtime: tfjs, maxAbsDiff: null, fallbackReason: reason };
  }
  const diff = await measureParity(tfjs, onnx, shape);
  if (!(diff <= PARITY_TOLERANCE)) {
    const reason = `ONNX parity ${diff} exceeds ${PARITY_TOLERANCE}`;
    options.logger?.warn({ model: tfjs.modelVersion, reason }, 'serving the risk model with tfjs');
    // onnx owns tfjs; release only the session by letting tfjs survive.
    await releaseSessionOnly(onnx);
    return { runtime: tfjs, maxAbsDiff: diff, fallbackReason: reason };
  }
  options.logger?.info(
    { model: tfjs.modelVersion, maxAbsDiff: diff, runtime: onnx.name },
    'serving the risk model with onnxruntime-node',
  );
  return { runtime: onnx, maxAbsDiff: diff, fallbackReason: null };
}

async function releaseSessionOnly(onnx: OnnxRiskRuntime): Promise<void> {
  await onnx.releaseSession();
}
