import { describe, expect, it } from 'vitest';
import { retrainDataFromTransport } from '../../../services/retrainer/retrain-data.js';
import { EmbeddedBus } from '../../../services/shared/bus/embedded-bus.js';
import { SchemaCatalog } from '../../../services/shared/codec/schema-catalog.js';
import { SingleObjectCodec } from '../../../services/shared/codec/single-object-codec.js';
import { loadConfig } from '../../../services/shared/config/load-config.js';
import { sampleRecords } from '../../fixtures/sample-records.js';

const DAY = 86_400_000;

describe('retrain data from the feature topics', () => {
  it('reads the topics back whole and joins each bar with macro as of its end, in time order', async () => {
    const config = loadConfig({ env: {} });
    const codec = new SingleObjectCodec(SchemaCatalog.load());
    const bus = new EmbeddedBus();
    const { topics } = config;
    await bus.ensureTopics([topics.featuresMarket, topics.featuresMacro, topics.featuresSentiment]);
    const base = sampleRecords.MarketBar;
    const bar = (i: number) => ({
      ...base,
      id: `AAPL|${base.barEnd + i * DAY}`,
      barStart: base.barStart + i * DAY,
      barEnd: base.barEnd + i * DAY,
      logReturn: i / 100,
    });
    const macro = { ...sampleRecords.MacroFeature, releaseTime: base.barEnd + DAY - 1 };
    await bus.sink().send([
      // Out of order on purpose: the join sorts each symbol's bars by their end.
      ...[2, 0, 1].map((i) => ({
        topic: topics.featuresMarket.name,
        key: 'AAPL',
        value: codec.encode('MarketBar', bar(i)),
      })),
      {
        topic: topics.featuresMacro.name,
        key: `${macro.indicatorId}|${macro.periodEnd}`,
        value: codec.encode('MacroFeature', macro),
      },
    ]);
    const data = await retrainDataFromTransport(bus, codec, config);
    expect(data.series.map((s) => s.symbol)).toEqual(['AAPL']);
    const bars = data.series[0]?.bars ?? [];
    expect(bars.map((b) => b.bar.logReturn)).toEqual([0, 0.01, 0.02]);
    const cpiZ = data.features.macro.indexOf('US.CPI.YOY.zScore');
    expect(cpiZ).toBeGreaterThanOrEqual(0);
    // Released after bar 0 ended: bar 0 must not see it, bars 1 and 2 do.
    expect(bars[0]?.macro[cpiZ]).not.toBe(macro.zScore);
    expect(bars[1]?.macro[cpiZ]).toBe(macro.zScore);
    expect(bars[2]?.macro[cpiZ]).toBe(macro.zScore);
    expect(data.features.market).toContain('logReturn');

    // From a time: later bars only, still joined with the macro value released before them.
    const since = await retrainDataFromTransport(bus, codec, config, { since: base.barEnd + DAY });
    const later = since.series[0]?.bars ?? [];
    expect(later.map((b) => b.bar.logReturn)).toEqual([0.01, 0.02]);
    expect(later[0]?.macro[cpiZ]).toBe(macro.zScore);
    const none = await retrainDataFromTransport(bus, codec, config, { since: base.barEnd + 10 * DAY });
    expect(none.series).toEqual([]);
    await bus.close();
  });
});
