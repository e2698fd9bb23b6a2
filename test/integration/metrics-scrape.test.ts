import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfluxSink } from '../../services/shared/influx/influx-sink.js';
import { createMetricsRegistry } from '../../services/shared/metrics/metrics-registry.js';
import { startMetricsServer } from '../../services/shared/metrics/metrics-server.js';
import { captureLogger } from '../support/capture-logger.js';
import { ensureDatabase } from './support/influx-queries.js';
import { addScrapeTarget, promQuery } from './support/prometheus-api.js';
import { type Services, sinkConfig, useServices } from './support/services.js';
import { waitFor } from './support/wait-for.js';

const runId = randomBytes(4).toString('hex');

describe('Prometheus scrapes the metrics edge', () => {
  let services: Services;

  beforeAll(async () => {
    services = await useServices();
    await ensureDatabase(services.influx);
  });

  afterAll(async () => {
    await services?.release();
  });

  it('sees the target up and the sink counters with their values', async () => {
    const registry = createMetricsRegistry('itest-metrics');
    const sink = new InfluxSink({
      config: sinkConfig(services.influx),
      registry,
      logger: captureLogger().logger,
    });
    const t0 = Date.now() - 60_000;
    for (let i = 0; i < 25; i++) sink.write(`itest_scrape_${runId}`, {}, { seq: i }, t0 + i);
    expect(await sink.flush()).toEqual({ pendingLines: 0 });

    const server = await startMetricsServer({ port: 0, registry, ready: () => true });
    const job = `risk-itest-${runId}`;
    const instance = `127.0.0.1:${server.port}`;
    // No `service` target label: it would clash with the registry's default label of that name.
    const removeTarget = addScrapeTarget(services.prometheus.targetsFile, instance, { job });
    try {
      const prom = services.prometheus.url;
      const up = await waitFor(
        `up{job="${job}"} == 1 in Prometheus`,
        async () => {
          const r = await promQuery(prom, `up{job="${job}"} == 1`);
          return r.length > 0 ? r : undefined;
        },
        { timeoutMs: 60_000, everyMs: 500 },
      );
      expect(up[0]?.metric).toMatchObject({ job, instance });

      const written = await waitFor(
        'risk_influx_lines_written_total in Prometheus',
        async () => {
          const r = await promQuery(prom, `risk_influx_lines_written_total{job="${job}"}`);
          return r.length > 0 ? r : undefined;
        },
        { timeoutMs: 30_000, everyMs: 500 },
      );
      expect(written).toHaveLength(1);
      expect(written[0]?.metric).toMatchObject({ job, instance, service: 'itest-metrics' });
      expect(written[0]?.value[1]).toBe('25');

      const dropped = await promQuery(prom, `risk_influx_dropped_lines_total{job="${job}"}`);
      expect(dropped.map((s) => s.metric.reason).sort()).toEqual([
        'invalid',
        'overflow',
        'rejected',
        'shutdown',
      ]);
      const latency = await promQuery(
        prom,
        `risk_influx_write_duration_seconds_count{job="${job}",outcome="success"}`,
      );
      expect(Number(latency[0]?.value[1])).toBeGreaterThanOrEqual(1);
    } finally {
      removeTarget();
      await server.close();
      await sink.close();
    }
  });
});
