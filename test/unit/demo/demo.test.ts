import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../services/cli/program.js';
import { JsonDemoView } from '../../../services/demo/demo-view.js';
import { runDemo } from '../../../services/demo/run-demo.js';
import { ModelRegistry } from '../../../services/models/registry/model-registry.js';
import { DEFAULT_REGISTRY_DIR } from '../../../services/shared/config/models-config.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'demo-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the demo (short mode)', () => {
  it('runs every service over the bundled data with the committed models and accounts for it', async () => {
    const out = new PassThrough();
    const lines: string[] = [];
    out.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const view = new JsonDemoView(out);
    const alertsFile = join(dir, 'alerts.jsonl');
    const result = await runDemo({
      speed: 'max',
      symbols: ['AAPL', 'JPM', 'XOM', 'BA'],
      from: Date.UTC(2015, 5, 1),
      toDate: Date.UTC(2016, 2, 31),
      alertsFile,
      metricsPort: 0,
      view,
    });
    view.summary(result.summary, { models: result.models });
    const registry = new ModelRegistry(DEFAULT_REGISTRY_DIR);
    expect(result.models).toEqual({
      risk: await registry.current('risk'),
      anomaly: await registry.current('anomaly'),
    });
    const s = result.summary;
    expect(s.inputs.ticks).toBeGreaterThan(4 * 200 * 4 - 100);
    expect(s.features.bars).toBeGreaterThan(4 * 200);
    // Every bar with a full window is scored: n - L + 1 per symbol, and nothing is dead-lettered.
    expect(s.scores).toBeGreaterThan(s.features.bars - 4 * 40);
    expect(s.scores).toBeLessThanOrEqual(s.features.bars);
    expect(s.deadLetters).toEqual({});
    // Every alert shown is in the JSONL file, and each carries its explanation.
    const shown = lines.map((l) => JSON.parse(l) as { event: string }).filter((e) => e.event === 'alert');
    const written = (await readFile(alertsFile, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { kind: string; alertId: string; explanation: unknown[] });
    expect(written).toHaveLength(s.alertsTotal);
    expect(shown).toHaveLength(s.alertsTotal);
    for (const w of written) expect(w.explanation.length).toBeGreaterThan(0);
    const summary = JSON.parse(lines.at(-1) as string) as { event: string; scores: number };
    expect(summary).toMatchObject({ event: 'summary', scores: s.scores });
  }, 120_000);

  it('exits 2 naming the argument on bad input', async () => {
    expect(await runCli(['node', 'risk-monitor', 'demo', '--speed', 'fast'])).toBe(2);
    expect(await runCli(['node', 'risk-monitor', 'demo', '--from', '2016/01/04'])).toBe(2);
    expect(await runCli(['node', 'risk-monitor', 'demo', '--metrics-port', '70000'])).toBe(2);
  });
});
