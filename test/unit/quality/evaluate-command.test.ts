import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type EvaluateCommandDeps,
  type EvaluateRiskCommandOptions,
  runEvaluateRiskCommand,
} from '../../../services/cli/commands/evaluate-command.js';
import { runTrainCommand } from '../../../services/cli/commands/train-command.js';
import { runCli } from '../../../services/cli/program.js';
import { ensembleMismatch, foldMismatch } from '../../../services/models/risk/bundle-mismatch.js';
import { loadRiskBundle } from '../../../services/models/risk/risk-bundle.js';
import { loadTrainingData } from '../../../services/models/training-data.js';
import { buildFeatureHistory } from '../../../services/pipeline/feature-history.js';
import { PACKAGE_ROOT } from '../../../services/shared/project-paths.js';

const DEMO = join(PACKAGE_ROOT, 'services/demo/data');
const SYMBOLS = ['AAPL', 'JPM', 'KO'];
const FIRST_DAY = '2015-06-01';

let dir: string;
let prices: string;
let registry: string;
let bundleDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evaluate-command-'));
  prices = join(dir, 'prices');
  registry = join(dir, 'registry');
  await mkdir(prices);
  // A tiny data set: three real tickers from mid-2015 on (about 570 bars each).
  for (const s of SYMBOLS) {
    const lines = (await readFile(join(DEMO, 'market/daily', `${s}.csv`), 'utf8')).trim().split('\n');
    const kept = lines.filter((l, i) => i === 0 || l.slice(0, 10) >= FIRST_DAY);
    await writeFile(join(prices, `${s}.csv`), `${kept.join('\n')}\n`);
  }
  const trained = await runTrainCommand(
    {
      prices,
      macro: join(DEMO, 'macro'),
      out: registry,
      epochs: 1,
      seed: 3,
      seqLen: 8,
      horizon: 5,
      k: 2,
      lstmUnits: 4,
      batchSize: 64,
      patience: 1,
      validationStart: '2016-06-01',
      testStart: '2017-01-03',
      backend: 'cpu',
      promote: false,
      anomalyEpochs: 1,
      anomalyUnits: 4,
      // The non-default scaling, so its ratios are exercised from training through evaluation.
      marketScaling: 'vol-relative',
      holdoutSymbols: ['KO'],
    },
    {
      loadData: loadTrainingData,
      now: () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
      code: () => ({ packageVersion: '0.1.0', gitCommit: null }),
      stdout: () => {},
      stderr: () => {},
      tty: false,
    },
  );
  bundleDir = trained.bundleDir;
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const opts = (over: Partial<EvaluateRiskCommandOptions> = {}): EvaluateRiskCommandOptions => ({
  prices,
  macro: join(DEMO, 'macro'),
  json: join(dir, 'out', 'risk.json'),
  backend: 'cpu',
  seed: 1,
  period: 'test',
  ...over,
});

const deps = (stderr: string[], stdout: string[] = []): EvaluateCommandDeps => ({
  loadHistory: buildFeatureHistory,
  registryDir: () => registry,
  stdout: (t) => stdout.push(t),
  stderr: (t) => stderr.push(t),
  tty: false,
});

const METRIC_KEYS = ['brier', 'f1', 'leadTimeBars', 'prAuc', 'precision', 'recall', 'rocAuc'];

describe('evaluate risk', () => {
  it('writes exactly the documented keys, evaluating after the validation end without fitting the model', async () => {
    const stderr: string[] = [];
    const stdout: string[] = [];
    // No --model: the registry's CURRENT risk bundle (the first trained version is promoted).
    await runEvaluateRiskCommand(opts(), deps(stderr, stdout));
    const report = JSON.parse(await readFile(join(dir, 'out', 'risk.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(report).sort()).toEqual(['baselines', 'model', 'n', 'period', 'var']);
    expect(Object.keys(report.model as object).sort()).toEqual(METRIC_KEYS);
    const baselines = report.baselines as Record<string, object>;
    expect(Object.keys(baselines).sort()).toEqual(['ewmaVol', 'forest', 'logistic']);
    for (const b of Object.values(baselines)) expect(Object.keys(b).sort()).toEqual(METRIC_KEYS);
    const v = report.var as Record<string, Record<string, unknown>>;
    expect(Object.keys(v).sort()).toEqual(['var95', 'var99']);
    expect(Object.keys(v.var95 as object).sort()).toEqual(['christoffersenP', 'exceedanceRate', 'kupiecP']);
    expect(Object.keys(v.var99 as object).sort()).toEqual([
      'baselZone',
      'christoffersenP',
      'exceedanceRate',
      'kupiecP',
    ]);
    expect(['green', 'yellow', 'red']).toContain(v.var99?.baselZone);
    const period = report.period as string[];
    expect(period).toHaveLength(2);
    expect(period[0]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // The test split starts at 2017-01-03T00:00Z, and a bar belongs to the split of its end: the first
    // scored bar is the one dated 2017-01-02 (a holiday the bar clock fills), as in training's split.
    expect(period[0]).toBe('2017-01-02');
    expect((period[1] as string) > (period[0] as string)).toBe(true);
    // 3 tickers, roughly 165 labelled trading days each after the cutoff.
    expect(report.n).toBeGreaterThan(400);
    expect(report.n).toBeLessThan(600);
    const details = JSON.parse(stdout.join('')) as { unseenSymbols: string[]; symbols: string[] };
    expect(details.symbols).toEqual(SYMBOLS);
    expect(details.unseenSymbols).toEqual(['KO']);
    const stages = stderr.map((l) => (JSON.parse(l) as { stage?: string }).stage).filter(Boolean);
    expect(stages).toContain('fit forest');
    expect(stages.at(-1)).toBe('done');
  }, 120_000);

  it('scores only the tickers asked for, including one the model never saw', async () => {
    const json = join(dir, 'out', 'ko.json');
    const result = await runEvaluateRiskCommand(opts({ model: bundleDir, symbols: ['ko'], json }), deps([]));
    expect(result.details.symbols).toEqual(['KO']);
    expect(result.details.unseenSymbols).toEqual(['KO']);
    expect(result.report.n).toBeGreaterThan(100);
  }, 120_000);

  it('scores several bundles as their mean: the same bundle twice scores as the bundle alone', async () => {
    const single = await runEvaluateRiskCommand(
      opts({ model: [bundleDir], json: join(dir, 'out', 'single.json') }),
      deps([]),
    );
    const twice = await runEvaluateRiskCommand(
      opts({ model: [bundleDir, bundleDir], json: join(dir, 'out', 'twice.json') }),
      deps([]),
    );
    expect(twice.report.n).toBe(single.report.n);
    expect(twice.report.model.rocAuc).toBeCloseTo(single.report.model.rocAuc, 6);
    expect(twice.report.var.var99.exceedanceRate).toBe(single.report.var.var99.exceedanceRate);
    expect(twice.details.modelVersion).toBe(`${single.details.modelVersion}+${single.details.modelVersion}`);
  }, 120_000);

  it('refuses to average bundles that read other inputs or predict another label', async () => {
    const bundle = await loadRiskBundle(bundleDir, null);
    expect(ensembleMismatch(bundle, bundle)).toBeNull();
    const other = { ...bundle, metadata: { ...bundle.metadata, seqLen: bundle.metadata.seqLen + 1 } };
    expect(ensembleMismatch(bundle, other)).toMatch(/^seqLen/);
    const otherLabel = { ...bundle, metadata: { ...bundle.metadata, label: { horizon: 10, k: 2 } } };
    expect(ensembleMismatch(bundle, otherLabel)).toBe('label');
    const shifted = {
      ...bundle,
      scaler: {
        ...bundle.scaler,
        market: { ...bundle.scaler.market, mean: bundle.scaler.market.mean.map((m) => m + 1) },
      },
    };
    expect(ensembleMismatch(bundle, shifted)).toBe('scaler (market)');
    // A walk-forward fold has its own scaler and split, but the same configuration and seed.
    const laterFold = {
      ...shifted,
      metadata: {
        ...bundle.metadata,
        data: { ...bundle.metadata.data, boundaries: { testStart: '2030-01-01' } },
      },
    };
    expect(foldMismatch(bundle, laterFold)).toBeNull();
    expect(foldMismatch(bundle, { ...bundle, metadata: { ...bundle.metadata, seed: 99 } })).toBe('seed');
    expect(foldMismatch(bundle, otherLabel)).toBe('label');
  }, 120_000);

  it('scores the validation period with baselines fitted before it when asked', async () => {
    const json = join(dir, 'out', 'validation.json');
    const result = await runEvaluateRiskCommand(
      opts({ model: bundleDir, period: 'validation', json }),
      deps([]),
    );
    expect(result.details.period).toBe('validation');
    expect(result.details.cutoff).toBe('2016-06-01T00:00:00.000Z');
    expect(result.details.until).toBe('2017-01-03T00:00:00.000Z');
    const [first, last] = result.report.period;
    expect(first >= '2016-05-31').toBe(true);
    expect(last < '2017-01-03').toBe(true);
    expect(result.report.n).toBeGreaterThan(300);
  }, 120_000);

  it('exits 2 naming the flag on bad arguments', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      written.push(String(s));
      return true;
    });
    try {
      const base = ['node', 'risk-monitor', 'evaluate', 'risk', '--macro', join(DEMO, 'macro')];
      const out = ['--json', join(dir, 'x.json')];
      expect(await runCli([...base, '--prices', prices])).toBe(2);
      expect(written.join('')).toContain("'--json <file>' not specified");
      written.length = 0;
      expect(await runCli([...base, '--prices', join(dir, 'nope'), ...out])).toBe(2);
      expect(written.join('')).toMatch(/--prices: expected a directory, found none at .*nope/);
      written.length = 0;
      expect(await runCli([...base, '--prices', prices, '--model', join(dir, 'nobundle'), ...out])).toBe(2);
      expect(written.join('')).toMatch(/--model: expected a bundle directory with metadata.json/);
      written.length = 0;
      expect(await runCli([...base, '--prices', prices, '--backend', 'gpu', ...out])).toBe(2);
      expect(written.join('')).toContain('--backend: expected auto, tensorflow, wasm or cpu, got "gpu"');
      written.length = 0;
      expect(await runCli([...base, '--prices', prices, '--seed', '-1', ...out])).toBe(2);
      expect(written.join('')).toContain('--seed');
      written.length = 0;
      expect(await runCli([...base, '--prices', prices, '--var-gamma', '2', ...out])).toBe(2);
      expect(written.join('')).toContain('--var-gamma: expected a number in [0, 1], got "2"');
      written.length = 0;
      expect(await runCli([...base, '--prices', prices, '--period', 'train', ...out])).toBe(2);
      expect(written.join('')).toContain('--period: expected test or validation, got "train"');
      written.length = 0;
      expect(
        await runCli([
          ...base,
          '--prices',
          prices,
          '--model',
          bundleDir,
          '--symbols',
          'ZZZZ',
          ...out,
          '--backend',
          'cpu',
        ]),
      ).toBe(2);
      expect(written.join('')).toMatch(/no price file for ZZZZ/);
    } finally {
      spy.mockRestore();
    }
  }, 120_000);
});
