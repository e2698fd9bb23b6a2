import { existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { FeatureLists } from '../../models/bundle/bundle-schemas.js';
import { ModelRegistry } from '../../models/registry/model-registry.js';
import { DEFAULT_VAR_ADAPTATION } from '../../models/risk/adaptive-var-scale.js';
import { ensembleMismatch } from '../../models/risk/bundle-mismatch.js';
import { loadRiskBundle } from '../../models/risk/risk-bundle.js';
import { EnsembleRiskRuntime } from '../../models/runtime/ensemble-risk-runtime.js';
import type { RiskRuntime } from '../../models/runtime/risk-runtime.js';
import { type BackendPreference, selectTfBackend } from '../../models/runtime/tf-backend.js';
import { createTfjsRiskRuntime } from '../../models/runtime/tfjs-risk-runtime.js';
import { buildFeatureHistory, type FeatureHistoryOptions } from '../../pipeline/feature-history.js';
import {
  EVALUATION_PERIODS,
  EvaluationDataError,
  type EvaluationProgress,
  evaluateRisk,
  type RiskEvaluation,
} from '../../quality/evaluate-risk.js';
import { ReplayInputError } from '../../replay/replay-plan.js';
import { loadConfig } from '../../shared/config/load-config.js';
import {
  DEFAULT_MACRO_INDICATORS,
  MARKET_FEATURES,
  macroFeatureNames,
  SENTIMENT_FEATURES,
} from '../../shared/contracts/feature-lists.js';
import type { JoinedBar } from '../../shared/contracts/sequence-batch.js';
import { PACKAGE_ROOT } from '../../shared/project-paths.js';
import { UsageError } from '../usage-error.js';
import { registerEvaluateTransferCommand } from './evaluate-transfer-command.js';

export interface EvaluateRiskCommandOptions {
  prices: string;
  macro: string;
  news?: string[];
  /**
   * Bundle directories; default: the registry's CURRENT risk bundle. Several = a seed ensemble
   * (EnsembleRiskRuntime), which must agree on features, scaler, window, label and split.
   */
  model?: string | string[];
  symbols?: string[];
  json: string;
  backend: string;
  seed: number;
  /** Which out-of-sample period (EvaluationPeriod); default test. */
  period: string;
  /** Adaptive VaR scale step (scorer.varAdaptationGamma); 0 = the quantile head as trained. */
  varGamma?: number;
}

export interface EvaluateCommandDeps {
  /** The joined bars; the CLI replays the files through the ingest services (buildFeatureHistory). */
  loadHistory: (options: FeatureHistoryOptions) => Promise<{ bars: Map<string, JoinedBar[]> }>;
  /** Registry root used when --model is absent. */
  registryDir: () => string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  tty: boolean;
}

/** The feature lists the pipeline produces: a bundle trained on others cannot be evaluated on its data. */
const PIPELINE_FEATURES: FeatureLists = {
  market: [...MARKET_FEATURES],
  macro: macroFeatureNames(DEFAULT_MACRO_INDICATORS),
  sentiment: [...SENTIMENT_FEATURES],
};

export function registerEvaluateCommand(program: Command): void {
  const evaluate = program
    .command('evaluate')
    .description('walk-forward quality evaluation of a trained model against baselines');
  evaluate
    .command('risk')
    .description(
      'score the risk bundle on every date after its validation end (no fitting), against EWMA-vol, logistic and random-forest baselines fitted before it, plus a VaR backtest',
    )
    .requiredOption(
      '--prices <dir>',
      'directory of daily price CSVs (<SYMBOL>.csv); every ticker in it is scored',
    )
    .requiredOption(
      '--macro <dir>',
      'directory of macro CSVs (vix-daily, cpi-us-monthly, sp500-shiller-monthly)',
    )
    .option(
      '--news <files...>',
      'labelled tweet CSVs (text,label) replayed like `replay --news`; pass the files the bundle was trained with, or its sentiment inputs differ from training',
    )
    .option(
      '--model <dirs...>',
      "risk bundle directory (default: CURRENT risk bundle of models.registryDir); several = their mean, a seed ensemble (same features, scaler, window, label and split; the first one's calibration and metadata)",
    )
    .option('--symbols <symbols...>', 'only these tickers (space or comma separated)')
    .requiredOption('--json <file>', 'where the report JSON goes')
    .option('--backend <name>', 'auto | tensorflow | wasm | cpu', 'auto')
    .option('--seed <n>', 'seed of the random-forest baseline', seedOption, 42)
    .option(
      '--period <name>',
      "test (from the bundle's validation end on) | validation (validation start to test start, baselines fitted before it; the model was early-stopped on it)",
      'test',
    )
    .option(
      '--var-gamma <g>',
      `step of the adaptive VaR scale the scorer serves with (scorer.varAdaptationGamma, default ${DEFAULT_VAR_ADAPTATION.gamma}); 0 backtests the quantile head as trained`,
      gammaOption,
    )
    .action(async (opts: EvaluateRiskCommandOptions) => {
      await runEvaluateRiskCommand(opts, defaultEvaluateDeps());
    });
  registerEvaluateTransferCommand(evaluate);
}

/** The evaluate commands' real dependencies: the feature replay, the configured registry, stdio. */
export function defaultEvaluateDeps(): EvaluateCommandDeps {
  return {
    loadHistory: buildFeatureHistory,
    registryDir: () => {
      const dir = loadConfig().models.registryDir;
      // The committed registry lives under the package root, wherever the CLI is started from.
      return isAbsolute(dir) ? dir : resolve(PACKAGE_ROOT, dir);
    },
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    tty: process.stderr.isTTY === true,
  };
}

function gammaOption(value: string): number {
  const g = Number(value);
  if (!(value.trim() !== '' && Number.isFinite(g) && g >= 0 && g <= 1)) {
    throw new UsageError(`--var-gamma: expected a number in [0, 1], got ${JSON.stringify(value)}`);
  }
  return g;
}

function seedOption(value: string): number {
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 0 && n < 2 ** 31)) {
    throw new UsageError(`--seed: expected an integer in [0, 2^31), got ${JSON.stringify(value)}`);
  }
  return n;
}

/** `evaluate risk` without commander and process globals; returns what it wrote to --json. */
export async function runEvaluateRiskCommand(
  opts: EvaluateRiskCommandOptions,
  deps: EvaluateCommandDeps,
): Promise<RiskEvaluation> {
  const backend = parseBackend(opts.backend);
  const period = EVALUATION_PERIODS.find((p) => p === opts.period);
  if (period === undefined) {
    throw new UsageError(
      `--period: expected ${EVALUATION_PERIODS.join(' or ')}, got ${JSON.stringify(opts.period)}`,
    );
  }
  requireDir('--prices', opts.prices);
  requireDir('--macro', opts.macro);
  const newsFiles = opts.news ?? [];
  for (const f of newsFiles) {
    if (!isFile(f)) throw new UsageError(`--news: expected a CSV file, found none at ${f}`);
  }
  const symbols = splitList(opts.symbols);
  const modelDirs = typeof opts.model === 'string' ? [opts.model] : (opts.model ?? []);
  const bundleDirs =
    modelDirs.length > 0
      ? await Promise.all(modelDirs.map((m) => resolveBundleDir(m, deps.registryDir)))
      : [await resolveBundleDir(undefined, deps.registryDir)];
  const bundleDir = bundleDirs.join(',');
  const log = createEvaluationLog(deps);

  await selectTfBackend(backend);
  const bundles = await Promise.all(
    bundleDirs.map((dir) =>
      loadRiskBundle(dir, PIPELINE_FEATURES).catch((err: unknown) => {
        throw new UsageError(
          `--model: expected a risk bundle at ${dir} with the pipeline's feature lists: ${(err as Error).message}`,
        );
      }),
    ),
  );
  const bundle = bundles[0] as (typeof bundles)[number];
  for (const [i, other] of bundles.entries()) {
    const mismatch = ensembleMismatch(bundle, other);
    if (mismatch !== null) {
      throw new UsageError(
        `--model: ensemble members must be trained alike; ${bundleDirs[i]} differs from ${bundleDirs[0]} in ${mismatch}`,
      );
    }
  }
  const members = bundles.map((b) => createTfjsRiskRuntime(b));
  const runtime = members.length === 1 ? (members[0] as RiskRuntime) : new EnsembleRiskRuntime(members);
  try {
    log({ kind: 'stage', stage: 'features', detail: { bundle: bundle.metadata.version, bundleDir } });
    let history: { bars: Map<string, JoinedBar[]> };
    try {
      history = await deps.loadHistory({
        pricesDir: opts.prices,
        macroDir: opts.macro,
        newsFiles,
        symbols,
      });
    } catch (err) {
      if (err instanceof ReplayInputError) throw new UsageError(err.message);
      throw err;
    }
    let result: RiskEvaluation;
    try {
      result = await evaluateRisk(
        history.bars,
        { metadata: bundle.metadata, scaler: bundle.scaler, calibration: bundle.calibration, runtime },
        {
          forest: { seed: opts.seed },
          onProgress: log,
          period,
          ...(opts.varGamma !== undefined ? { varGamma: opts.varGamma } : {}),
        },
      );
    } catch (err) {
      if (err instanceof EvaluationDataError) throw new UsageError(`--prices: ${err.message}`);
      throw err;
    } finally {
      log({ kind: 'stage', stage: 'done' });
    }
    await mkdir(dirname(resolve(opts.json)), { recursive: true });
    await writeFile(opts.json, `${JSON.stringify(result.report, nanToNull, 2)}\n`);
    deps.stdout(`${JSON.stringify({ json: opts.json, bundleDir, ...result.details }, nanToNull, 2)}\n`);
    return result;
  } finally {
    runtime.dispose();
  }
}

/** NaN and infinities are undefined metrics (e.g. ROC-AUC without a positive): JSON null, not a number. */
export function nanToNull(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

export async function resolveBundleDir(
  model: string | undefined,
  registryDir: () => string,
): Promise<string> {
  if (model !== undefined) {
    if (!existsSync(join(model, 'metadata.json'))) {
      throw new UsageError(`--model: expected a bundle directory with metadata.json, found none at ${model}`);
    }
    return model;
  }
  const registry = new ModelRegistry(registryDir());
  const current = await registry.current('risk');
  if (current === null) {
    throw new UsageError(
      `--model: not given, and the registry ${registry.root} has no CURRENT risk bundle (train one with risk-monitor train --out ${registry.root}, or pass --model)`,
    );
  }
  return registry.bundleDir('risk', current);
}

export function parseBackend(value: string): BackendPreference {
  if (value === 'auto' || value === 'tensorflow' || value === 'wasm' || value === 'cpu') return value;
  throw new UsageError(`--backend: expected auto, tensorflow, wasm or cpu, got ${JSON.stringify(value)}`);
}

export function requireDir(flag: string, path: string): void {
  if (!(existsSync(path) && statSync(path).isDirectory())) {
    throw new UsageError(`${flag}: expected a directory, found none at ${path}`);
  }
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

export function splitList(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const out = values
    .flatMap((v) => v.split(','))
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== '');
  if (out.length === 0) throw new UsageError('--symbols: expected at least one ticker, got none');
  return out;
}

/**
 * Progress for people (a cli-progress bar while the model scores, one line per stage) or for
 * machines (one JSON object per line, batch events every 10%).
 */
export function createEvaluationLog(
  deps: Pick<EvaluateCommandDeps, 'stderr' | 'tty'>,
): (event: EvaluationProgress) => void {
  const started = Date.now();
  if (!deps.tty) {
    let nextTenth = 1;
    return (event) => {
      if (event.kind === 'batch') {
        if (event.done < (event.total * nextTenth) / 10 && event.done < event.total) return;
        nextTenth = Math.floor((10 * event.done) / event.total) + 1;
      }
      deps.stderr(
        `${JSON.stringify({ time: new Date().toISOString(), elapsedMs: Date.now() - started, ...event })}\n`,
      );
    };
  }
  let bar: SingleBar | null = null;
  return (event) => {
    if (event.kind === 'batch') {
      if (bar === null) {
        bar = new SingleBar(
          { format: 'scoring [{bar}] {value}/{total} sequences', stream: process.stderr },
          Presets.shades_classic,
        );
        bar.start(event.total, 0);
      }
      bar.update(event.done);
      return;
    }
    bar?.stop();
    bar = null;
    const detail = event.detail
      ? ` ${Object.entries(event.detail)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`
      : '';
    deps.stderr(`${((Date.now() - started) / 1000).toFixed(1)}s ${event.stage}${detail}\n`);
  };
}
