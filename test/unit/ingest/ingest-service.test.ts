import { Registry } from 'prom-client';
import { Subject, switchMap, take } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { IngestService } from '../../../services/ingest/framework/ingest-service.js';
import { startTicksConsumer } from '../../../services/ingest/ticks/main.js';
import { DAILY_REPLAY_INGEST } from '../../../services/replay/daily-replay-settings.js';
import { EmbeddedBus } from '../../../services/shared/bus/embedded-bus.js';
import { partitionForKey } from '../../../services/shared/bus/murmur2-partitioner.js';
import type { Transport } from '../../../services/shared/bus/transport.js';
import { loadConfig } from '../../../services/shared/config/load-config.js';
import type { MarketTick } from '../../../services/shared/contracts/records.js';
import { createLogger } from '../../../services/shared/logging/logger.js';
import { codec, NOW, tick } from './ingest-fixtures.js';

const DAY = 86_400_000;
const D1 = Date.UTC(2016, 0, 4, 15); // Monday
const until = async (cond: () => boolean | Promise<boolean>, ms = 5_000) => {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

async function setup(overrides: Record<string, unknown> = {}) {
  const config = loadConfig({ env: {}, overrides: { ingest: { ...DAILY_REPLAY_INGEST, ...overrides } } });
  const bus = new EmbeddedBus();
  await bus.ensureTopics([config.topics.ticks]);
  const metrics = new Registry();
  let wall = NOW;
  const ctx = {
    config,
    transport: bus,
    codec,
    logger: createLogger('test', { level: 'silent', pretty: 'false' }),
    metrics,
    now: () => wall,
  };
  const send = (ticks: MarketTick[]) =>
    bus.sink().send(
      ticks.map((t) => ({
        topic: config.topics.ticks.name,
        key: t.symbol,
        value: codec.encode('MarketTick', t),
      })),
    );
  const bars = async () =>
    (await bus.read(config.topics.featuresMarket.name, partitionForKey('AAPL', 6), 0, 1e9)).map((r) =>
      codec.decode('MarketBar', r.value as Buffer),
    );
  const partition = `${config.topics.ticks.name}:${partitionForKey('AAPL', config.topics.ticks.partitions)}`;
  const committed = () => bus.groupOffsets(`${config.kafka.groupIdPrefix}.ticks-consumer`).get(partition);
  return { config, bus, ctx, send, bars, committed, metrics, setWall: (t: number) => (wall = t) };
}

describe('ingest service lifecycle (ticks consumer on the embedded bus)', () => {
  it('commits a tick only once its bar is produced; stop keeps open bars for the next run', async () => {
    const s = await setup();
    const day1 = [0, 1, 2].map((k) =>
      tick({ eventTime: D1 + k * 3_600_000, sequence: k + 1, last: 100 + k }),
    );
    const day2 = [tick({ eventTime: D1 + DAY, sequence: 10, last: 104 })];
    await s.send([...day1, ...day2]);
    let service: IngestService = await startTicksConsumer(s.ctx);
    expect(service.ready()).toBe(true);
    await until(async () => (await s.bars()).length === 1);
    await until(() => s.committed() === 3);
    await service.stop();
    await service.done;
    // The day-2 tick sits in an open bar: not acked, not committed.
    expect(s.committed()).toBe(3);
    expect(service.ready()).toBe(false);

    service = await startTicksConsumer(s.ctx);
    await s.send([tick({ eventTime: D1 + 2 * DAY, sequence: 11, last: 105 })]);
    await service.drain();
    const bars = await s.bars();
    expect(bars.map((b) => [b.barStart - (D1 - 15 * 3_600_000), b.trades, b.close])).toEqual([
      [0, 3, 102],
      [DAY, 1, 104],
      [2 * DAY, 1, 105],
    ]);
    expect(s.committed()).toBe(5);
    await service.stop();
  });

  it('idle flush closes the last bar by wall clock when a partition goes quiet', async () => {
    const s = await setup({ idleFlushMs: 20, maxOutOfOrdernessMs: 0, barIntervalMs: 1_000 });
    s.setWall(D1 + 500);
    const service = await startTicksConsumer(s.ctx);
    await s.send([tick({ eventTime: D1 + 100, sequence: 1 })]);
    const received = async () =>
      (await s.metrics.getSingleMetric('risk_ingest_records_in_total')?.get())?.values[0]?.value === 1;
    await until(received);
    expect(await s.bars()).toEqual([]);
    // Wall clock moves past the bar's end; the idle check advances the watermark.
    s.setWall(D1 + 1_500);
    await until(async () => (await s.bars()).length === 1);
    await until(() => s.committed() === 1);
    await service.stop();
  });

  it('exports the ingest metrics without symbol labels', async () => {
    const s = await setup();
    const service = await startTicksConsumer(s.ctx);
    await s.send([
      tick({ eventTime: D1, sequence: 1 }),
      tick({ eventTime: D1, sequence: 1 }),
      tick({ eventTime: D1, sequence: 2, bid: 101, ask: 100 }),
    ]);
    await service.drain();
    const text = await s.metrics.metrics();
    expect(text).toContain('risk_ingest_records_in_total{service="ticks-consumer",topic="market.ticks"} 3');
    expect(text).toContain('risk_ingest_duplicates_total{service="ticks-consumer"} 1');
    expect(text).toContain('risk_ingest_dead_letters_total{service="ticks-consumer",reason="bid_gt_ask"} 1');
    expect(text).toContain(
      'risk_ingest_records_out_total{service="ticks-consumer",topic="risk.features.market"} 1',
    );
    expect(text).toContain('risk_ingest_records_out_total{service="ticks-consumer",topic="risk.dlq"} 1');
    expect(text).toMatch(/risk_ingest_processing_latency_seconds_count\{service="ticks-consumer"\} 3/);
    expect(text).toMatch(
      /risk_ingest_watermark_lag_seconds\{service="ticks-consumer",partition="market\.ticks:\d"\} \d+/,
    );
    expect(text).not.toContain('AAPL');
    await service.stop();
  });

  it('drain waits for the group join: nothing assigned yet is not "everything read"', async () => {
    const s = await setup();
    // Like Kafka, where joining the group takes seconds: the source joins only when `joined` fires.
    const joined = new Subject<void>();
    const slowJoin: Transport = Object.assign(Object.create(s.bus) as Transport, {
      source: (options: Parameters<Transport['source']>[0]) => {
        const inner = s.bus.source(options);
        return {
          ...inner,
          records$: joined.pipe(
            take(1),
            switchMap(() => inner.records$),
          ),
        };
      },
    });
    await s.send([
      tick({ eventTime: D1, sequence: 1, last: 100 }),
      tick({ eventTime: D1 + DAY, sequence: 2, last: 101 }),
    ]);
    const service = await startTicksConsumer({ ...s.ctx, transport: slowJoin });
    let drained = false;
    const drain = service.drain().then(() => {
      drained = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(drained).toBe(false);
    joined.next();
    await drain;
    expect((await s.bars()).map((b) => b.close)).toEqual([100, 101]);
    expect(s.committed()).toBe(2);
    await service.stop();
  });
});
