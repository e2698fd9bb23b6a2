import { describe, expect, it } from 'vitest';
import { DAILY_REPLAY_INGEST } from '../../../services/replay/daily-replay-settings.js';
import { EmbeddedBus } from '../../../services/shared/bus/embedded-bus.js';
import { createCodec } from '../../../services/shared/codec/create-codec.js';
import { loadConfig } from '../../../services/shared/config/load-config.js';
import { runScoringScenario } from '../../scenarios/scoring-scenario.js';

describe('scoring scenario on the embedded bus', () => {
  it('scores every full window once and stores exactly what it emits', async () => {
    const config = loadConfig({ env: {}, overrides: { ingest: DAILY_REPLAY_INGEST } });
    const bus = new EmbeddedBus();
    await bus.ensureTopics(Object.values(config.topics));
    const report = await runScoringScenario(bus, {
      config,
      codec: await createCodec(),
      symbols: ['AAPL', 'JPM', 'XOM'],
      from: '2015-06-01',
      toDate: '2016-03-31',
    });
    expect(report.problems).toEqual([]);
    expect(report.deadLetters).toBe(0);
    await bus.close();
  }, 60_000);
});
