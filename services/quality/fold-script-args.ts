/**
 * The command line shared by the scripts that score risk bundles on their own yearly segments
 * (walk-forward-folds.ts, context-ablation.ts): where the data is, which tickers, where the JSON
 * goes, where the last segment ends, and the bundles, loaded and ordered by test start.
 */
import { loadRiskBundle, type RiskBundle } from '../models/risk/risk-bundle.js';
import { buildFeatureHistory, type FeatureHistory } from '../pipeline/feature-history.js';

export const FOLD_SCRIPT_OPTIONS = {
  prices: { type: 'string' },
  macro: { type: 'string' },
  news: { type: 'string', multiple: true },
  symbols: { type: 'string' },
  out: { type: 'string' },
  until: { type: 'string' },
} as const;

export interface FoldScriptValues {
  prices?: string;
  macro?: string;
  news?: string[];
  symbols?: string;
  out?: string;
  until?: string;
}

export interface FoldScriptArgs {
  out: string;
  symbols: string[] | undefined;
  /** End (ms) of the last bundle's segment; undefined = the end of the data. */
  until: number | undefined;
  readHistory(): Promise<FeatureHistory>;
}

/** Checks the shared flags, naming the one that is missing or malformed. */
export function foldScriptArgs(values: FoldScriptValues): FoldScriptArgs {
  for (const flag of ['prices', 'macro', 'out'] as const) {
    if (values[flag] === undefined) throw new Error(`--${flag}: required, got nothing`);
  }
  const until = values.until === undefined ? undefined : Date.parse(values.until);
  if (until !== undefined && !Number.isFinite(until)) {
    throw new Error(`--until: expected an ISO date such as 2016-12-03, got ${values.until}`);
  }
  const symbols = values.symbols?.split(',').map((s) => s.trim().toUpperCase());
  return {
    out: values.out as string,
    symbols,
    until,
    readHistory: () =>
      buildFeatureHistory({
        pricesDir: values.prices as string,
        macroDir: values.macro as string,
        newsFiles: values.news ?? [],
        ...(symbols ? { symbols } : {}),
      }),
  };
}

export interface FoldBundle {
  dir: string;
  bundle: RiskBundle;
  /** The bundle's test start (ms): where its segment begins. */
  testStart: number;
}

/** Loads the bundles and orders them by test start; a bundle without one is refused. */
export async function loadFoldBundles(dirs: readonly string[]): Promise<FoldBundle[]> {
  const bundles: FoldBundle[] = [];
  for (const dir of dirs) {
    const bundle = await loadRiskBundle(dir, null);
    const testStart = Date.parse(bundle.metadata.data.boundaries.testStart ?? '');
    if (!Number.isFinite(testStart)) throw new Error(`${dir}: expected data.boundaries.testStart, got none`);
    bundles.push({ dir, bundle, testStart });
  }
  return bundles.sort((a, b) => a.testStart - b.testStart);
}

/** Where fold i's segment ends: the next fold's test start, the last one's at `until`. */
export function segmentEnd(
  folds: readonly FoldBundle[],
  i: number,
  until: number | undefined,
): number | undefined {
  return folds[i + 1]?.testStart ?? until;
}
