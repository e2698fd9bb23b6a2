import * as tf from '@tensorflow/tfjs';
import { runTrainCommand } from '../../../services/cli/commands/train-command.js';
import { saveModelBundle } from '../../../services/models/bundle/model-bundle.js';
import type { ModelRegistry } from '../../../services/models/registry/model-registry.js';
import { loadRiskBundle } from '../../../services/models/risk/risk-bundle.js';
import type { SymbolSeries } from '../../../services/models/risk/risk-dataset.js';
import { SYNTHETIC_FEATURES, syntheticJoinedBars } from '../../fixtures/synthetic-joined-bars.js';
import { tinyTrainOptions } from '../../fixtures/tiny-train-options.js';

const SYMBOLS = ['AAA', 'BBB', 'CCC'];
export const series = (count: number, seedOffset: number): SymbolSeries[] =>
  SYMBOLS.map((symbol, i) => ({ symbol, bars: syntheticJoinedBars(symbol, count, i + seedOffset) }));
/** Smaller realised returns than the champion was trained on: its VaR99 is rarely exceeded. */
export const calmer = (list: SymbolSeries[], factor: number): SymbolSeries[] =>
  list.map((s) => ({
    symbol: s.symbol,
    bars: s.bars.map((b) => ({ ...b, bar: { ...b.bar, logReturn: b.bar.logReturn * factor } })),
  }));
export const code = () => ({
  packageVersion: '0.1.0',
  gitCommit: 'abcdef0123456789abcdef0123456789abcdef01',
});

/**
 * A tiny champion (and its anomaly partner) trained by the real train command into `registry`,
 * with its quantile head made steady (see below) and promoted. Returns the champion's version.
 */
export async function trainChampion(registry: ModelRegistry): Promise<string> {
  const result = await runTrainCommand(tinyTrainOptions(registry.root), {
    loadData: async () => ({ series: series(160, 31), features: SYNTHETIC_FEATURES, warnings: [] }),
    now: () => new Date(Date.UTC(2024, 4, 6, 7, 8, 9)),
    code,
    stdout: () => {},
    stderr: () => {},
    tty: false,
  });
  return steadyQuantileChampion(registry, result.version);
}

/**
 * A one-epoch model's quantile head is still mostly its random kernel, so its VaR99 is noise and
 * no challenger fine-tuned from it for one epoch could stay in the green zone. Zeroing the
 * quantile kernels leaves the unconditional quantiles the head starts from: a plain but sane
 * champion, re-published and promoted (same scaler, so the anomaly model still pairs with it).
 */
async function steadyQuantileChampion(registry: ModelRegistry, trainedVersion: string): Promise<string> {
  const bundle = await loadRiskBundle(registry.bundleDir('risk', trainedVersion), SYNTHETIC_FEATURES);
  for (const name of ['q05', 'quantile_gap']) {
    const layer = bundle.model.getLayer(name);
    const [kernel, bias] = layer.getWeights() as [tf.Tensor, tf.Tensor];
    layer.setWeights([tf.zerosLike(kernel), bias]);
  }
  const version = 'risk-20240506-070810-abcdef0';
  await registry.publish('risk', version, (dir) =>
    saveModelBundle(dir, { ...bundle, metadata: { ...bundle.metadata, version } }),
  );
  bundle.model.dispose();
  await registry.promote('risk', version, { reason: 'test champion' });
  return version;
}
