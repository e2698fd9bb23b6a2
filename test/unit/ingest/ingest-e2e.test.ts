import { describe, expect, it } from 'vitest';
import { EmbeddedBus } from '../../../services/shared/bus/embedded-bus.js';
import { loadConfig } from '../../../services/shared/config/load-config.js';
import { AckAuditor } from '../../scenarios/ack-auditor.js';
import { runIngestAccountingScenario } from '../../scenarios/ingest-accounting-scenario.js';
import { codec, tick } from './ingest-fixtures.js';

describe('ingest end to end on the embedded bus', () => {
  it('replays a real sample through the three services and accounts for every input record', async () => {
    const report = await runIngestAccountingScenario(new EmbeddedBus());
    expect(report.problems).toEqual([]);
    // 3 symbols x 61 trading days x 4 ticks, plus the 6 injected bad ticks.
    expect(report.inputs.ticks).toBe(3 * 61 * 4 + 6);
    expect(report.contributions.ticks).toBe(3 * 61 * 4);
    // Three market holidays in the range (MLK day, Presidents' Day, Good Friday) are filled per symbol.
    expect(report.features.filledBars).toBe(3 * 3);
    expect(report.features.bars).toBe(3 * 64);
    expect(report.deadLetters.ticks).toEqual({ undecodable: 2, bid_gt_ask: 1, negative_size: 1, late: 1 });
    expect(report.deadLetters.news).toEqual({ undecodable: 1, sentiment_out_of_range: 1 });
    expect(report.deadLetters.macro).toEqual({ undecodable: 1, unknown_indicator: 1 });
    expect(report.duplicates).toEqual({ ticks: 1, news: 1, macro: 0 });
    expect(report.injected.every((i) => i.found === i.expected)).toBe(true);
    expect(report.acksChecked).toBe(report.inputs.ticks + report.inputs.news + report.inputs.macro);
  });
});

describe('the ack auditor', () => {
  it('reports an input acked before anything derived from it was stored', async () => {
    const bus = new EmbeddedBus();
    const config = loadConfig({ env: {} });
    await bus.ensureTopics([config.topics.ticks]);
    await bus
      .sink()
      .send([{ topic: config.topics.ticks.name, key: 'AAPL', value: codec.encode('MarketTick', tick()) }]);
    const auditor = new AckAuditor(bus, codec, config);
    await new Promise<void>((resolve) => {
      const sub = auditor.transport
        .source({ groupId: 'g', topics: [config.topics.ticks.name] })
        .records$.subscribe((r) => {
          r.ack();
          sub.unsubscribe();
          resolve();
        });
    });
    expect(auditor.problems).toEqual([
      expect.stringMatching(/^market\.ticks:\d@0 was acked before bar:AAPL\|\d+ was stored$/),
    ]);
  });
});
