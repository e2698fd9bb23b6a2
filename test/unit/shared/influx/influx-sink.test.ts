import { Point } from '@influxdata/influxdb-client';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { PointWriter } from '../../../../services/scorer/point-writer.js';
import { type InfluxConfig, influxConfig } from '../../../../services/shared/config/influx-config.js';
import { InfluxSink } from '../../../../services/shared/influx/influx-sink.js';
import { captureLogger } from '../../../support/capture-logger.js';
import { FakeInfluxServer } from './fake-influx-server.js';

const servers: FakeInfluxServer[] = [];
const sinks: InfluxSink[] = [];

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close(0)));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function fakeServer(): Promise<FakeInfluxServer> {
  const s = await new FakeInfluxServer().start();
  servers.push(s);
  return s;
}

function v1Config(server: FakeInfluxServer, over: Partial<InfluxConfig> = {}): InfluxConfig {
  return influxConfig.parse({
    enabled: true,
    apiVersion: '1',
    url: server.url,
    database: 'risk',
    batchSize: 100,
    // Long interval: tests drive sending with batch size and flush(), not with the clock.
    flushIntervalMs: 60_000,
    retryBaseMs: 5,
    retryMaxMs: 20,
    maxRetries: 3,
    timeoutMs: 2_000,
    closeTimeoutMs: 5_000,
    ...over,
  });
}

function sinkFor(config: InfluxConfig, registry = new Registry()) {
  const log = captureLogger();
  const sink = new InfluxSink({ config, registry, logger: log.logger, random: () => 0.5 });
  sinks.push(sink);
  return { sink, log, registry };
}

const lines = (from: number, to: number, m = 'm') =>
  Array.from({ length: to - from }, (_, i) => `${m} v=1 ${from + i}`);

describe('InfluxSink', () => {
  it('writes v1 batches to /write with db, rp, ms precision and Basic credentials', async () => {
    const server = await fakeServer();
    const { sink } = sinkFor(
      v1Config(server, { retentionPolicy: 'autogen', username: 'writer', password: 'secret' }),
    );
    sink.write('risk_score', { symbol: 'AAPL' }, { var95: 0.02, n: 3n }, 1_700_000_000_000);
    sink.writePoint(
      new Point('risk_alert').tag('severity', 'CRITICAL').floatField('score', 0.9).timestamp(5),
    );
    sink.writeLines(['raw v=1 7\nraw v=2 8', '']);
    const asScorerWriter: PointWriter = sink;
    asScorerWriter.writePoint('risk_score', { symbol: 'MSFT' }, { var95: 0.5, top_feature: 'vix' }, 9);
    expect(await sink.flush()).toEqual({ pendingLines: 0 });
    expect(server.requests).toHaveLength(1);
    const r = server.requests[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/write?db=risk&rp=autogen&precision=ms');
    expect(r.headers.authorization).toBe(`Basic ${Buffer.from('writer:secret').toString('base64')}`);
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.lines).toEqual([
      'risk_score,symbol=AAPL n=3i,var95=0.02 1700000000000',
      'risk_alert,severity=CRITICAL score=0.9 5',
      'raw v=1 7',
      'raw v=2 8',
      'risk_score,symbol=MSFT top_feature="vix",var95=0.5 9',
    ]);
    expect(sink.stats()).toMatchObject({ writtenLines: 5, bufferedLines: 0, retries: 0 });
  });

  it('writes v2 batches to /api/v2/write with org, bucket and a token', async () => {
    const server = await fakeServer();
    const config = influxConfig.parse({
      enabled: true,
      apiVersion: '2',
      url: server.url,
      org: 'acme',
      bucket: 'risk',
      token: 't0k',
      flushIntervalMs: 60_000,
    });
    const { sink } = sinkFor(config);
    sink.write('m', {}, { v: 1 }, 1);
    await sink.flush();
    expect(server.requests[0]?.url).toBe('/api/v2/write?org=acme&bucket=risk&precision=ms');
    expect(server.requests[0]?.headers.authorization).toBe('Token t0k');
    expect(server.delivered).toEqual(['m v=1 1']);
  });

  it('sends a full batch without waiting and the rest on flush, gzipping big bodies', async () => {
    const server = await fakeServer();
    const { sink } = sinkFor(v1Config(server, { batchSize: 100 }));
    const long = (a: number, b: number) => lines(a, b, 'a_rather_long_measurement_name,symbol=AAPL');
    sink.writeLines(long(0, 250));
    await server.waitForRequests(2);
    expect(server.requests.map((r) => r.lines.length)).toEqual([100, 100]);
    expect(server.requests[0]?.headers['content-encoding']).toBe('gzip');
    await sink.flush();
    expect(server.requests.map((r) => r.lines.length)).toEqual([100, 100, 50]);
    expect(server.delivered).toEqual(long(0, 250));
  });

  it('sends on the flush interval without an explicit flush', async () => {
    const server = await fakeServer();
    const { sink } = sinkFor(v1Config(server, { flushIntervalMs: 20 }));
    sink.writeLines(lines(0, 3));
    await server.waitForRequests(1);
    expect(server.requests[0]?.lines).toEqual(lines(0, 3));
  });

  it('retries 5xx with backoff and delivers every line exactly once, in order', async () => {
    const server = await fakeServer();
    server.reply({ status: 503 }, { status: 500, body: '{"error":"engine busy"}' }, { status: 503 });
    const { sink, log } = sinkFor(v1Config(server));
    sink.writeLines(lines(0, 10));
    expect(await sink.flush()).toEqual({ pendingLines: 0 });
    expect(server.requests).toHaveLength(4);
    expect(server.delivered).toEqual(lines(0, 10));
    expect(sink.stats()).toMatchObject({
      writtenLines: 10,
      retries: 3,
      consecutiveFailures: 0,
      writeErrors: { server_error: 3, rejected: 0 },
      droppedLines: { overflow: 0, rejected: 0 },
    });
    expect(log.at('warn').map((e) => e.msg)).toEqual([
      'InfluxDB write failed (HTTP 503: (empty body)); retrying in 4 ms',
      'InfluxDB reachable again after 3 failed attempts',
    ]);
  });

  it('honours Retry-After on 429', async () => {
    const server = await fakeServer();
    server.reply({ status: 429, headers: { 'retry-after': '1' } });
    const { sink } = sinkFor(v1Config(server));
    sink.writeLines(lines(0, 2));
    await sink.flush();
    expect(server.requests).toHaveLength(2);
    // A lower bound only: the retry cannot come before the server's delay (backoff alone is 5 ms).
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(990);
    expect(sink.stats().writeErrors.throttled).toBe(1);
    expect(server.delivered).toEqual(lines(0, 2));
  });

  it('does not retry a 400: counts the lines as rejected and logs what the server said', async () => {
    const server = await fakeServer();
    server.reply({ status: 400, body: '{"error":"partial write: field type conflict"}' });
    const { sink, log } = sinkFor(v1Config(server));
    sink.writeLines(lines(0, 3));
    expect(await sink.flush()).toEqual({ pendingLines: 0 });
    expect(server.requests).toHaveLength(1);
    expect(sink.stats()).toMatchObject({
      droppedLines: { rejected: 3 },
      writeErrors: { rejected: 1 },
      retries: 0,
    });
    const err = log.at('error')[0];
    expect(err?.msg).toContain('partial write: field type conflict');
    expect(err).toMatchObject({ status: 400, lines: 3, firstLine: 'm v=1 0' });
    // Later writes are not held back by the rejected batch.
    sink.writeLines(['m v=2 9']);
    await sink.flush();
    expect(server.delivered).toEqual(['m v=2 9']);
  });

  it('drops the oldest lines on overflow, counts and logs it, and delivers the rest when the server returns', async () => {
    const server = await fakeServer();
    server.fallback = { status: 503 };
    const { sink, log, registry } = sinkFor(v1Config(server, { maxBufferLines: 10, batchSize: 5 }));
    sink.writeLines(lines(0, 25));
    expect(sink.stats()).toMatchObject({ bufferedLines: 10, droppedLines: { overflow: 15 } });
    expect(log.at('warn')[0]).toMatchObject({
      msg: 'InfluxDB sink buffer full: dropped the 15 oldest lines',
      droppedLines: 15,
      maxBufferLines: 10,
    });
    await server.waitForRequests(3);
    // While failing, newer lines still push out the oldest, including the batch being retried
    // (the batch in flight is pushed out once its failure comes back).
    sink.writeLines(lines(25, 28));
    server.fallback = { status: 204 };
    expect(await sink.flush()).toEqual({ pendingLines: 0 });
    expect(sink.stats()).toMatchObject({ droppedLines: { overflow: 18 } });
    expect(server.delivered).toEqual(lines(18, 28));
    const text = await registry.metrics();
    expect(text).toContain('risk_influx_dropped_lines_total{reason="overflow"} 18');
    expect(text).toContain('risk_influx_lines_written_total 10');
    expect(text).toContain('risk_influx_buffer_lines 0');
  });

  it('reports InfluxDB unavailable after maxRetries, keeps the lines and recovers', async () => {
    const server = await fakeServer();
    server.fallback = 'reset';
    const { sink, log, registry } = sinkFor(v1Config(server, { maxRetries: 2 }));
    sink.writeLines(lines(0, 4));
    void sink.flush(0);
    await server.waitForRequests(4);
    expect(sink.available).toBe(false);
    expect(sink.stats()).toMatchObject({ bufferedLines: 4, droppedLines: { overflow: 0 } });
    expect(sink.stats().writeErrors.network).toBeGreaterThanOrEqual(3);
    expect(log.at('error')[0]?.msg).toMatch(/^InfluxDB unavailable: 3 consecutive write attempts failed/);
    expect(await registry.metrics()).toContain('risk_influx_available 0');
    server.fallback = { status: 204 };
    expect(await sink.flush()).toEqual({ pendingLines: 0 });
    expect(sink.available).toBe(true);
    expect(server.delivered).toEqual(lines(0, 4));
    expect(await registry.metrics()).toContain('risk_influx_available 1');
  });

  it('times out a request that gets no answer and retries it', async () => {
    const server = await fakeServer();
    server.reply('hang');
    const { sink } = sinkFor(v1Config(server, { timeoutMs: 150 }));
    sink.writeLines(lines(0, 2));
    expect(await sink.flush()).toEqual({ pendingLines: 0 });
    expect(sink.stats().writeErrors.timeout).toBe(1);
    expect(server.delivered).toEqual(lines(0, 2));
  });

  it('flush() returns at its deadline with what is still pending, without dropping it', async () => {
    const server = await fakeServer();
    server.fallback = { status: 503 };
    const { sink } = sinkFor(v1Config(server));
    sink.writeLines(lines(0, 5));
    expect(await sink.flush(100)).toEqual({ pendingLines: 5 });
    expect(sink.stats()).toMatchObject({ bufferedLines: 5, droppedLines: { shutdown: 0, overflow: 0 } });
  });

  it('close() gives up at its deadline, counts and logs what was not delivered, and drops later writes', async () => {
    const server = await fakeServer();
    server.fallback = 'hang';
    const { sink, log, registry } = sinkFor(v1Config(server, { timeoutMs: 60_000 }));
    sink.writeLines(lines(0, 7));
    expect(await sink.flush(0)).toEqual({ pendingLines: 7 });
    await server.waitForRequests(1);
    expect(await sink.close(200)).toEqual({ undeliveredLines: 7 });
    expect(await sink.close()).toEqual({ undeliveredLines: 7 });
    expect(log.at('error')[0]).toMatchObject({ undeliveredLines: 7 });
    sink.write('m', {}, { v: 1 }, 1);
    expect(sink.stats()).toMatchObject({ bufferedLines: 0, droppedLines: { shutdown: 8 } });
    expect(await registry.metrics()).toContain('risk_influx_dropped_lines_total{reason="shutdown"} 8');
  });

  it('close() delivers what is buffered when the server is up', async () => {
    const server = await fakeServer();
    const { sink } = sinkFor(v1Config(server));
    sink.writeLines(lines(0, 3));
    expect(await sink.close()).toEqual({ undeliveredLines: 0 });
    expect(server.delivered).toEqual(lines(0, 3));
  });

  it('counts and logs points that cannot be serialised instead of throwing', async () => {
    const server = await fakeServer();
    const { sink, log } = sinkFor(v1Config(server));
    sink.write('m', {}, { v: Number.NaN }, 1);
    sink.writePoint(new Point('m'));
    expect(sink.stats().droppedLines.invalid).toBe(2);
    expect(log.at('warn').map((e) => e.msg)).toEqual([
      'InfluxDB sink: point not written: measurement m: every field was NaN or infinite',
      expect.stringContaining('point has no measurement name or no fields'),
    ]);
  });

  it('exposes its series on the registry, shared by sinks writing into it', async () => {
    const server = await fakeServer();
    const registry = new Registry();
    const a = sinkFor(v1Config(server), registry).sink;
    const b = sinkFor(v1Config(server), registry).sink;
    a.writeLines(lines(0, 2));
    b.writeLines(lines(2, 5));
    await Promise.all([a.flush(), b.flush()]);
    const text = await registry.metrics();
    expect(text).toContain('risk_influx_lines_written_total 5');
    expect(text).toContain('risk_influx_write_errors_total{kind="network"} 0');
    expect(text).toContain('risk_influx_write_duration_seconds_count{outcome="success"} 2');
    expect(text).toContain('risk_influx_buffer_lines 0');
    expect(await a.ping()).toBe(true);
  });
});
