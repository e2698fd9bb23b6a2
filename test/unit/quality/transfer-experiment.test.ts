import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrainCommand } from '../../../services/cli/commands/train-command.js';
import { runTransferExperiment } from '../../../services/quality/transfer-experiment.js';
import type { JoinedBar } from '../../../services/shared/contracts/sequence-batch.js';
import { SYNTHETIC_FEATURES, syntheticJoinedBars } from '../../fixtures/synthetic-joined-bars.js';
import { tinyTrainOptions } from '../../fixtures/tiny-train-options.js';

const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD'];
const bars = new Map<string, JoinedBar[]>(SYMBOLS.map((s, i) => [s, syntheticJoinedBars(s, 200, 60 + i)]));
let root: string;
let championDir: string;
let testStart: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'transfer-'));
  const result = await runTrainCommand(tinyTrainOptions(root, { holdoutSymbols: ['CCC', 'DDD'] }), {
    loadData: async () => ({
      series: SYMBOLS.map((symbol) => ({ symbol, bars: bars.get(symbol) as JoinedBar[] })),
      features: SYNTHETIC_FEATURES,
      warnings: [],
    }),
    now: () => new Date(Date.UTC(2024, 4, 6)),
    code: () => ({ packageVersion: '0.1.0', gitCommit: null }),
    stdout: () => {},
    stderr: () => {},
    tty: false,
  });
  championDir = result.bundleDir;
  const meta = JSON.parse(await readFile(join(championDir, 'metadata.json'), 'utf8')) as {
    data: { boundaries: { testStart: string } };
  };
  testStart = meta.data.boundaries.testStart;
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const tiny = {
  historyBars: 60,
  validationFraction: 0.25,
  epochs: 1,
  patience: 1,
  batchSize: 64,
  seeds: [7],
  fineTuneLearningRate: 1e-4,
  scratchLearningRate: 1e-3,
  forestSeed: 1,
};

describe('transfer experiment (fine-tuned vs from scratch on a short history)', () => {
  it("trains both arms on the held-out tickers' short history only and evaluates all three on the same later period", async () => {
    const report = await runTransferExperiment(bars, championDir, tiny);
    expect(report.symbols).toEqual(['CCC', 'DDD']);
    expect(report.history.testStart).toBe(testStart.slice(0, 10));
    // At most historyBars samples per ticker, minus the labels purged at the split boundaries.
    expect(report.history.trainSamples + report.history.validationSamples).toBeLessThanOrEqual(2 * 60);
    expect(report.history.trainSamples).toBeGreaterThan(0);
    expect(report.runs.map((r) => [r.arm, r.seed])).toEqual([
      ['champion', null],
      ['fine-tuned', 7],
      ['from-scratch', 7],
    ]);
    const periods = new Set(report.runs.map((r) => `${r.report.n} ${r.report.period.join('..')}`));
    expect(periods.size).toBe(1);
    expect(report.runs[0]?.report.n).toBeGreaterThan(0);
    // The baselines see the same short history whichever arm is evaluated.
    const baselineRocs = new Set(report.runs.map((r) => r.report.baselines.ewmaVol?.rocAuc));
    expect(baselineRocs.size).toBe(1);
    for (const r of report.runs.slice(1)) expect(r.epochsRun).toBe(1);
  });

  it('refuses tickers the champion was trained on', async () => {
    await expect(
      runTransferExperiment(bars, championDir, { ...tiny, symbols: ['AAA', 'CCC'] }),
    ).rejects.toThrow(/AAA were in the champion's training: not a transfer test/);
  });
});
