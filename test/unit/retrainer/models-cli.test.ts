import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runRetrainCommand } from '../../../services/cli/commands/retrain-command.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, runCli } from '../../../services/cli/program.js';
import { ModelRegistry } from '../../../services/models/registry/model-registry.js';
import { SYNTHETIC_FEATURES } from '../../fixtures/synthetic-joined-bars.js';
import { calmer, code, series, trainChampion } from './champion-fixture.js';

const cli = (...args: string[]) => runCli(['node', 'risk-monitor', ...args]);
let root: string;
let registry: ModelRegistry;
let champion: string;
let other: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'models-cli-'));
  registry = new ModelRegistry(root);
  champion = await trainChampion(registry);
  other = (await registry.versions('risk')).find((v) => v !== champion) as string;
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('models and retrain commands', () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    // The synthetic bundles are trained on two macro indicators, VIX and CPI.
    process.env.RISK_WINDOWING_MACRO_INDICATORS = 'VIX,CPI';
    process.env.RISK_LOG_LEVEL = 'silent';
    out = [];
    err = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => err.push(String(s)) > 0);
  });
  afterEach(() => {
    delete process.env.RISK_WINDOWING_MACRO_INDICATORS;
    delete process.env.RISK_LOG_LEVEL;
    vi.restoreAllMocks();
  });

  it('lists versions with the current one marked, as a table or JSON lines', async () => {
    expect(await cli('models', 'list', '--registry', root)).toBe(EXIT_OK);
    const lines = out.join('').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.find((l) => l.startsWith('*'))).toContain(champion);
    out.length = 0;
    expect(await cli('models', 'list', '--registry', root, '--model', 'anomaly', '--json')).toBe(EXIT_OK);
    const anomaly = out.map((l) => JSON.parse(l) as { version: string; current: boolean; createdAt: string });
    expect(anomaly).toHaveLength(1);
    expect(anomaly[0]).toMatchObject({ current: true, createdAt: '2024-05-06T07:08:09.000Z' });
  });

  it('promotes a verified version and rolls back, printing the ModelUpdate', async () => {
    expect(await cli('models', 'promote', other, '--registry', root, '--reason', 'operator test')).toBe(
      EXIT_OK,
    );
    expect(await registry.current('risk')).toBe(other);
    expect(JSON.parse(out.join(''))).toMatchObject({
      model: 'RISK',
      action: 'PROMOTE',
      version: other,
      previousVersion: champion,
      reason: 'operator test',
      notified: false,
    });
    out.length = 0;
    expect(await cli('models', 'rollback', '--registry', root)).toBe(EXIT_OK);
    expect(await registry.current('risk')).toBe(champion);
    expect(JSON.parse(out.join(''))).toMatchObject({
      action: 'ROLLBACK',
      version: champion,
      previousVersion: other,
    });
  });

  it('exits 2 on bad arguments with a message naming them', async () => {
    expect(await cli('models', 'promote', 'risk-nope', '--registry', root)).toBe(EXIT_USAGE);
    expect(await cli('models', 'list', '--model', 'bogus', '--registry', root)).toBe(EXIT_USAGE);
    expect(await cli('models', 'promote')).toBe(EXIT_USAGE);
    expect(await cli('retrain', '--registry', root)).toBe(EXIT_USAGE);
    expect(await cli('retrain', '--once', '--registry', root)).toBe(EXIT_USAGE);
    expect(await cli('retrain', '--once', '--prices', 'p')).toBe(EXIT_USAGE);
    expect(await cli('retrain', '--once', '--margin', '-1')).toBe(EXIT_USAGE);
    expect(await cli('retrain', '--once', '--epochs', '0')).toBe(EXIT_USAGE);
    expect(await cli('retrain', '--once', '--since', 'yesterday')).toBe(EXIT_USAGE);
    expect(await cli('retrain', '--once', '--since', '2016-01-04', '--prices', 'p', '--macro', 'm')).toBe(
      EXIT_USAGE,
    );
    expect(await cli('retrain', '--once', '--full', '--freeze-lstm')).toBe(EXIT_USAGE);
    const text = err.join('');
    expect(text).toContain('--full trains from fresh weights: --freeze-lstm has nothing to keep');
    expect(text).toContain('risk version risk-nope is not in');
    expect(text).toContain('--model must be risk or anomaly, got bogus');
    expect(text).toContain('retrain needs --once');
    expect(text).toContain('retrain needs data: --prices DIR --macro DIR, or transport kafka');
    expect(text).toContain('--prices and --macro go together');
    expect(text).toContain('--margin must be a number >= 0, got -1');
    expect(text).toContain('--epochs must be a positive integer, got 0');
    expect(text).toContain('--since must be a date like 2016-01-04, got yesterday');
    expect(text).toContain('--since selects from the feature topics');
    expect(await cli('retrain', '--help')).toBe(EXIT_OK);
    expect(await cli('models', 'list', '--help')).toBe(EXIT_OK);
  });

  it('retrain --once runs a cycle and prints its outcome with the numbers', async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const result = await runRetrainCommand(
      { once: true, prices: 'p', macro: 'm', registry: root, margin: 1, epochs: 1 },
      {
        loadFiles: async () => ({ series: calmer(series(200, 41), 0.5), features: SYNTHETIC_FEATURES }),
        loadTopics: async () => {
          throw new Error('not used');
        },
        notify: async () => false,
        now: () => new Date(Date.UTC(2024, 7, 1)),
        code,
        stdout: (t) => stdout.push(t),
        stderr: (t) => stderr.push(t),
        tty: false,
      },
    );
    expect(result.outcome).toBe('rejected');
    const printed = JSON.parse(stdout.join('')) as {
      outcome: string;
      gate: { reasons: string[] };
      anomaly: { challenger: { falseAlarms: { judged: number } } };
      updates: unknown[];
      notified: boolean;
    };
    expect(printed.outcome).toBe('rejected');
    // The anomaly forecaster was fine-tuned too (config default) and judged on the same period.
    expect(printed.anomaly.challenger.falseAlarms.judged).toBeGreaterThan(0);
    expect(printed.updates).toEqual([]);
    expect(printed.gate.reasons.join()).toMatch(/margin 1.0000/);
    expect(stderr.join('')).toMatch(/retraining on 3 symbols \(600 bars\)/);
    expect(stderr.some((l) => l.includes('"kind":"done"'))).toBe(true);
    expect(await registry.current('risk')).toBe(champion);
  });

  it('refuses to promote a corrupt bundle (exit 1); the current version stays', async () => {
    const weights = join(registry.bundleDir('risk', other), 'weights.bin');
    const bytes = await readFile(weights);
    bytes[0] = (bytes[0] as number) ^ 0x01;
    await writeFile(weights, bytes);
    expect(await cli('models', 'promote', other, '--registry', root)).toBe(EXIT_FAILURE);
    expect(err.join('')).toMatch(/checksum mismatch for .*weights\.bin/);
    expect(await registry.current('risk')).toBe(champion);
  });
});
