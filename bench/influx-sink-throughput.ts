/**
 * Throughput of the InfluxDB sink against a real local influxd 1.x (own process, temp dir, loopback):
 * N risk_score-shaped points through write(), then flush. Reports the cost of write() on the caller
 * (serialisation + buffering) and end-to-end lines/s. Run: npx tsx bench/influx-sink-throughput.ts [N]
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { influxConfig } from '../services/shared/config/influx-config.js';
import { InfluxSink } from '../services/shared/influx/influx-sink.js';
import { countValues, ensureDatabase } from '../test/integration/support/influx-queries.js';
import { InfluxdProcess } from '../test/integration/support/influxd-process.js';

const n = Number(process.argv[2] ?? 200_000);
const influxd = await InfluxdProcess.create();
try {
  await influxd.start();
  const target = { url: influxd.url, apiVersion: '1' as const, database: 'bench' };
  await ensureDatabase(target);
  const sink = new InfluxSink({
    config: influxConfig.parse({ enabled: true, apiVersion: '1', url: influxd.url, database: 'bench' }),
    registry: new Registry(),
    logger: pino({ level: 'warn' }),
  });
  const symbols = Array.from({ length: 24 }, (_, i) => `SYM${i}`);
  const t0 = Date.now() - n;
  const started = performance.now();
  let writeMs = 0;
  for (let i = 0; i < n; i += 1000) {
    const a = performance.now();
    for (let j = i; j < Math.min(n, i + 1000); j++) {
      sink.write(
        'risk_score',
        { symbol: symbols[j % 24] as string, model_version: 'v1' },
        {
          event_probability: j / n,
          volatility_forecast: 0.2,
          var95: 0.01,
          var99: 0.02,
          es95: 0.015,
          es99: 0.03,
        },
        t0 + j,
      );
    }
    writeMs += performance.now() - a;
    // Yield so the sink can send while we produce, as a live pipeline would.
    await new Promise((r) => setImmediate(r));
  }
  const flushed = await sink.flush(120_000);
  const totalMs = performance.now() - started;
  const stored = await countValues(target, 'risk_score', 'var95');
  await sink.close();
  const s = sink.stats();
  console.log(
    JSON.stringify({
      points: n,
      writeCallUsPerPoint: Number(((writeMs * 1000) / n).toFixed(2)),
      endToEndLinesPerSec: Math.round(n / (totalMs / 1000)),
      totalMs: Math.round(totalMs),
      pendingAfterFlush: flushed.pendingLines,
      stored,
      written: s.writtenLines,
      retries: s.retries,
      dropped: s.droppedLines,
    }),
  );
} finally {
  await influxd.remove();
}
