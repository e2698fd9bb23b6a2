/**
 * Runs the NAB benchmark with one named detector variant (the configurations recorded in
 * docs/anomaly.md "Variants tried"), so every variant is reproducible without editing defaults.
 *
 *   npx tsx bench/nab-variant.ts VARIANT DATA_DIR WINDOWS_JSON OUT_DIR
 */
import { DEFAULT_TRACKER_PARAMS, type TrackerParams } from '../services/models/anomaly/anomaly-tracker.js';
import {
  DEFAULT_UNIVARIATE_PARAMS,
  type UnivariateDetectorParams,
} from '../services/models/anomaly/univariate-detector.js';
import { runNabBenchmark } from '../services/nab/nab-benchmark.js';

const base: TrackerParams = {
  ...DEFAULT_TRACKER_PARAMS,
  spatialTolerance: undefined,
  deduplication: undefined,
  likelihoodInputCap: undefined,
};
const spatial = { spatialTolerance: 0.05 };
const dedup = { deduplication: { level: 0.5, rows: 100 } };
// The normaliser's winsorising level: the error size it already refuses to learn from.
const cap = { likelihoodInputCap: DEFAULT_TRACKER_PARAMS.normalizer.winsorZ };

const VARIANTS: Record<string, TrackerParams> = {
  baseline: base,
  spatial: { ...base, ...spatial },
  dedup: { ...base, ...dedup },
  'spatial-dedup': { ...base, ...spatial, ...dedup },
  'spatial-dedup-cap': { ...base, ...spatial, ...dedup, ...cap },
};

const [name, dataDir, windowsFile, outDir] = process.argv.slice(2);
const tracker = name === undefined ? undefined : VARIANTS[name];
if (tracker === undefined || dataDir === undefined || windowsFile === undefined || outDir === undefined) {
  process.stderr.write(
    `usage: nab-variant.ts VARIANT DATA_DIR WINDOWS_JSON OUT_DIR (variants: ${Object.keys(VARIANTS).join(', ')})\n`,
  );
  process.exit(2);
}
const params: UnivariateDetectorParams = { ...DEFAULT_UNIVARIATE_PARAMS, tracker };
await runNabBenchmark({ dataDir, windowsFile, outDir, parallel: 1, params });
