import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrainCommand, type TrainCommandOptions } from '../../../services/cli/commands/train-command.js';
import { runCli } from '../../../services/cli/program.js';
import { loadAnomalyBundle } from '../../../services/models/anomaly/anomaly-bundle.js';
import { ModelRegistry } from '../../../services/models/registry/model-registry.js';
import { loadRiskBundle } from '../../../services/models/risk/risk-bundle.js';
import { loadServingRiskModel } from '../../../services/models/runtime/load-risk-runtime.js';
import type { TrainingDataOptions } from '../../../services/models/training-data.js';
import { SYNTHETIC_FEATURES, syntheticJoinedBars } from '../../fixtures/synthetic-joined-bars.js';
import { tinyTrainOptions } from '../../fixtures/tiny-train-options.js';

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'train-command-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

const opts = (over: Partial<TrainCommandOptions> = {}): TrainCommandOptions =>
  tinyTrainOptions(out, { holdoutSymbols: ['ccc'], ...over });

describe('train command', () => {
  it('trains on the bars it is given, publishes a bundle and promotes the first version', async () => {
    const requested: TrainingDataOptions[] = [];
    const stdout: string[] = [];
    const stderr: string[] = [];
    const deps = {
      loadData: async (o: TrainingDataOptions) => {
        requested.push(o);
        return {
          series: ['AAA', 'BBB', 'CCC'].map((s, i) => ({
            symbol: s,
            bars: syntheticJoinedBars(s, 160, i + 31),
          })),
          features: SYNTHETIC_FEATURES,
          warnings: ['news has no timestamps'],
        };
      },
      now: () => new Date(Date.UTC(2024, 4, 6, 7, 8, 9)),
      code: () => ({ packageVersion: '0.1.0', gitCommit: 'abcdef0123456789abcdef0123456789abcdef01' }),
      stdout: (t: string) => stdout.push(t),
      stderr: (t: string) => stderr.push(t),
      tty: false,
    };
    const result = await runTrainCommand(opts({ symbols: ['aaa,bbb'] }), deps);
    expect(requested[0]?.symbols).toEqual(['AAA', 'BBB', 'CCC']);
    expect(result.version).toBe('risk-20240506-070809-abcdef0');
    expect(result.promoted).toBe(true);
    const registry = new ModelRegistry(out);
    expect(await registry.current('risk')).toBe(result.version);
    // The anomaly forecaster of the same run is published and promoted with it, same scaler.
    expect(result.anomaly).toMatchObject({ version: 'anomaly-20240506-070809-abcdef0', promoted: true });
    expect(await registry.current('anomaly')).toBe(result.anomaly.version);
    const anomaly = await loadAnomalyBundle(result.anomaly.bundleDir);
    expect(anomaly.content.spec.seqLen).toBe(6);
    anomaly.model.dispose();
    const bundle = await loadRiskBundle(result.bundleDir, SYNTHETIC_FEATURES);
    expect(bundle.metadata.data.holdoutSymbols).toEqual(['CCC']);
    expect(bundle.metadata.hyperparameters.epochs).toBe(1);
    bundle.model.dispose();
    expect(JSON.parse(stdout.join(''))).toMatchObject({ version: result.version, promoted: true });
    expect(stderr.join('')).toContain('warning: news has no timestamps');
    const progress = stderr.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string });
    // The risk model's run, then the forecaster's epoch (one each here).
    expect(progress.map((p) => p.kind)).toEqual(['start', 'epoch', 'done', 'epoch']);
    expect(stderr.join('')).toMatch(/training the anomaly forecaster on \d+ bars/);

    // A second version is published but not promoted without --promote.
    const second = await runTrainCommand(opts(), {
      ...deps,
      now: () => new Date(Date.UTC(2024, 4, 6, 7, 9, 0)),
    });
    expect(second.promoted).toBe(false);
    expect(second.anomaly.promoted).toBe(false);
    expect(await registry.current('risk')).toBe(result.version);
    expect(await registry.current('anomaly')).toBe(result.anomaly.version);
    expect(await registry.versions('risk')).toEqual([result.version, second.version]);
    const history = await readFile(join(out, 'risk', 'history.jsonl'), 'utf8');
    expect(history.trim().split('\n')).toHaveLength(1);

    const serving = await loadServingRiskModel(registry, SYNTHETIC_FEATURES);
    expect(serving.runtime.modelVersion).toBe(result.version);
    // A trained bundle is served by its ONNX export unless parity with tfjs fails.
    expect(serving.onnx?.fallbackReason).toBeNull();
    expect(serving.runtime.name).toMatch(/^onnxruntime-node/);
    expect(serving.calibration.eventThresholds).toHaveLength(3);
    serving.runtime.dispose();
    await expect(
      loadServingRiskModel(new ModelRegistry(join(out, 'empty')), SYNTHETIC_FEATURES),
    ).rejects.toThrow(/no current risk model in .*empty: train one/);
  });

  it('exits 2 on bad arguments', async () => {
    const base = ['node', 'risk-monitor', 'train', '--prices', 'p', '--macro', 'm', '--out', out];
    expect(await runCli([...base, '--epochs', '0'])).toBe(2);
    expect(await runCli([...base, '--validation-start', '2016-01-04'])).toBe(2);
    expect(await runCli(['node', 'risk-monitor', 'train', '--prices', 'p'])).toBe(2);
  });
});
