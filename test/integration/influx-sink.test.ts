import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxConfig } from '../../services/shared/config/influx-config.js';
import { createInfluxClient } from '../../services/shared/influx/influx-client.js';
import { InfluxSink } from '../../services/shared/influx/influx-sink.js';
import { captureLogger } from '../support/capture-logger.js';
import { countValues, ensureDatabase, readValues } from './support/influx-queries.js';
import { InfluxdProcess } from './support/influxd-process.js';
import { type InfluxTarget, type Services, sinkConfig, useServices } from './support/services.js';
import { waitFor } from './support/wait-for.js';

const runId = randomBytes(4).toString('hex');
const seqs = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('InfluxSink against the shared InfluxDB', () => {
  let services: Services;

  beforeAll(async () => {
    services = await useServices();
    await ensureDatabase(services.influx);
  });

  afterAll(async () => {
    await services?.release();
  });

  it('writes through the configured API and reads back every point with its ms timestamp', async () => {
    const target = services.influx;
    const measurement = `itest_sink_${runId}`;
    const log = captureLogger();
    const sink = new InfluxSink({
      config: sinkConfig(target, { batchSize: 300 }),
      registry: new Registry(),
      logger: log.logger,
    });
    const t0 = Date.now() - 60_000;
    for (const i of seqs(0, 1000)) {
      sink.write(
        measurement,
        { symbol: i % 2 ? 'AAPL' : 'MSFT', run: runId },
        { seq: i, price: 100 + i / 7 },
        t0 + i,
      );
    }
    expect(await sink.flush()).toEqual({ pendingLines: 0 });
    // v1: InfluxQL SELECT count(*); v2: Flux count().
    expect(await countValues(target, measurement, 'seq')).toBe(1000);
    expect(await readValues(target, measurement, 'seq')).toEqual(
      seqs(0, 1000).map((i) => ({ timeMs: t0 + i, value: i })),
    );
    expect(sink.stats()).toMatchObject({
      writtenLines: 1000,
      retries: 0,
      droppedLines: { overflow: 0, rejected: 0, shutdown: 0, invalid: 0 },
    });
    expect(await sink.ping()).toBe(true);
    expect(await sink.close()).toEqual({ undeliveredLines: 0 });
    expect(log.at('error')).toEqual([]);
  });

  it('has a rejected write counted with the server message, and carries on', async () => {
    const target = services.influx;
    const measurement = `itest_conflict_${runId}`;
    const log = captureLogger();
    const sink = new InfluxSink({ config: sinkConfig(target), registry: new Registry(), logger: log.logger });
    const t0 = Date.now() - 60_000;
    sink.write(measurement, {}, { seq: 1 }, t0);
    await sink.flush();
    // The same field as a string: a type conflict InfluxDB refuses with a 400.
    sink.write(measurement, {}, { seq: 'one' }, t0 + 1);
    await sink.flush();
    sink.write(measurement, {}, { seq: 2 }, t0 + 2);
    await sink.flush();
    expect(sink.stats()).toMatchObject({ writtenLines: 2, retries: 0, droppedLines: { rejected: 1 } });
    // 1.x and 2.x answer 400; the wording differs between versions.
    const rejected = log.at('error')[0];
    expect(Number(rejected?.status)).toBeGreaterThanOrEqual(400);
    expect(Number(rejected?.status)).toBeLessThan(500);
    expect(String(rejected?.serverMessage)).toMatch(/conflict|type/i);
    expect(await countValues(target, measurement, 'seq')).toBe(2);
    await sink.close();
  });
});

describe('InfluxSink while its InfluxDB 1.x (own influxd) stops and comes back', () => {
  let influxd: InfluxdProcess;
  let target: InfluxTarget;

  beforeAll(async () => {
    influxd = await InfluxdProcess.create();
    await influxd.start();
    target = { url: influxd.url, apiVersion: '1', database: 'outage' };
    await ensureDatabase(target);
  });

  afterAll(async () => {
    await influxd?.remove();
  });

  it('retries, holds what is written while the server is down and delivers all of it when it returns', async () => {
    const measurement = 'outage';
    const log = captureLogger();
    const registry = new Registry();
    const sink = new InfluxSink({
      config: sinkConfig(target, { batchSize: 50, maxRetries: 2, retryBaseMs: 50, retryMaxMs: 400 }),
      registry,
      logger: log.logger,
    });
    const t0 = Date.now() - 60_000;
    for (const i of seqs(0, 100)) sink.write(measurement, {}, { seq: i }, t0 + i);
    expect(await sink.flush()).toEqual({ pendingLines: 0 });
    expect(await countValues(target, measurement, 'seq')).toBe(100);

    await influxd.stop();
    for (const i of seqs(100, 300)) sink.write(measurement, {}, { seq: i }, t0 + i);
    await waitFor('3 failed write attempts', () =>
      sink.stats().consecutiveFailures >= 3 ? true : undefined,
    );
    expect(sink.available).toBe(false);
    expect(sink.stats()).toMatchObject({ bufferedLines: 200, droppedLines: { overflow: 0 } });
    expect(sink.stats().writeErrors.network).toBeGreaterThanOrEqual(3);
    expect(log.at('error')[0]?.msg).toMatch(
      /^InfluxDB unavailable: 3 consecutive write attempts failed \(ECONNREFUSED/,
    );
    expect(await registry.metrics()).toContain('risk_influx_buffer_lines 200');

    await influxd.start(); // same port, same data directory
    expect(await sink.flush(60_000)).toEqual({ pendingLines: 0 });
    expect(sink.available).toBe(true);
    expect((await readValues(target, measurement, 'seq')).map((v) => v.value)).toEqual(seqs(0, 300));
    expect(sink.stats()).toMatchObject({ writtenLines: 300, bufferedLines: 0 });
    expect(sink.stats().retries).toBeGreaterThanOrEqual(3);
    expect(log.at('warn').map((e) => e.msg)).toContainEqual(
      expect.stringMatching(/^InfluxDB reachable again after \d+ failed attempts$/),
    );
    expect(await sink.close()).toEqual({ undeliveredLines: 0 });
  });

  it('drops the oldest lines beyond maxBufferLines while down, counts and logs them, then delivers the rest', async () => {
    const measurement = 'overflow';
    const log = captureLogger();
    const registry = new Registry();
    const sink = new InfluxSink({
      config: sinkConfig(target, { batchSize: 20, maxBufferLines: 50, retryBaseMs: 50, retryMaxMs: 400 }),
      registry,
      logger: log.logger,
    });
    await influxd.stop();
    const t0 = Date.now() - 60_000;
    for (const i of seqs(0, 120)) sink.write(measurement, {}, { seq: i }, t0 + i);
    // The first batch was in flight when the rest arrived; once it fails it is the oldest and goes too.
    await waitFor('70 lines dropped', () => (sink.stats().droppedLines.overflow === 70 ? true : undefined));
    expect(sink.bufferedLines).toBe(50);

    await influxd.start();
    expect(await sink.flush(60_000)).toEqual({ pendingLines: 0 });
    expect((await readValues(target, measurement, 'seq')).map((v) => v.value)).toEqual(seqs(70, 120));
    expect(await sink.close()).toEqual({ undeliveredLines: 0 });
    const warned = log
      .at('warn')
      .filter((e) => e.msg.startsWith('InfluxDB sink buffer full'))
      .reduce((n, e) => n + Number(e.droppedLines), 0);
    expect(warned).toBe(70);
    expect(await registry.metrics()).toContain('risk_influx_dropped_lines_total{reason="overflow"} 70');
  });

  it("lets the library's own WriteApi write to 1.x through the V1 transport", async () => {
    const config = influxConfig.parse({ apiVersion: '1', url: influxd.url, database: 'outage' });
    const { client } = createInfluxClient(config);
    const writeApi = client.getWriteApi('-', 'outage', 'ms');
    const t0 = Date.now() - 60_000;
    writeApi.writeRecords(seqs(0, 10).map((i) => `write_api seq=${i} ${t0 + i}`));
    await writeApi.close();
    expect(await countValues(target, 'write_api', 'seq')).toBe(10);
  });
});
