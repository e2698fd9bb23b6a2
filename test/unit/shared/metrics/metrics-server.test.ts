import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { Counter, Histogram } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../../../services/shared/metrics/metrics-registry.js';
import {
  type RunningMetricsServer,
  startMetricsServer,
} from '../../../../services/shared/metrics/metrics-server.js';

const running: RunningMetricsServer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(options: Partial<Parameters<typeof startMetricsServer>[0]> = {}) {
  const registry = options.registry ?? createMetricsRegistry('test-svc');
  const s = await startMetricsServer({ port: 0, registry, ...options });
  running.push(s);
  return { server: s, registry };
}

/** Resolves true when a TCP connection to host:port succeeds. */
function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

describe('metrics server', () => {
  it('serves the registry in the Prometheus text format with the service label', async () => {
    const { server, registry } = await start();
    new Counter({ name: 'risk_test_events_total', help: 'Test events.', registers: [registry] }).inc(3);
    new Histogram({
      name: 'risk_test_duration_seconds',
      help: 'Test durations.',
      buckets: [0.1, 1],
      registers: [registry],
    }).observe(0.5);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = await res.text();
    expect(body).toContain('# HELP risk_test_events_total Test events.');
    expect(body).toContain('# TYPE risk_test_events_total counter');
    expect(body).toContain('risk_test_events_total{service="test-svc"} 3');
    expect(body).toContain('risk_test_duration_seconds_bucket{le="1",service="test-svc"} 1');
    expect(body).toMatch(/^process_cpu_user_seconds_total\{service="test-svc"\} /m);
    expect(body).toMatch(/^nodejs_heap_size_used_bytes\{service="test-svc"\} /m);
  });

  it('answers /healthz while the process runs', async () => {
    const { server } = await start();
    const res = await fetch(`${server.url}/healthz`);
    expect([res.status, await res.text()]).toEqual([200, 'ok\n']);
  });

  it('answers /readyz 503 until ready, and 503 when the readiness check throws', async () => {
    let ready = false;
    const { server } = await start({ ready: () => ready });
    let res = await fetch(`${server.url}/readyz`);
    expect([res.status, await res.text()]).toEqual([503, 'not ready\n']);
    ready = true;
    res = await fetch(`${server.url}/readyz`);
    expect([res.status, await res.text()]).toEqual([200, 'ready\n']);

    const broken = await start({
      ready: () => {
        throw new Error('model not loaded');
      },
    });
    res = await fetch(`${broken.server.url}/readyz`);
    expect([res.status, await res.text()]).toEqual([
      503,
      'not ready: readiness check failed: model not loaded\n',
    ]);
    // Still serving after the throw.
    expect((await fetch(`${broken.server.url}/healthz`)).status).toBe(200);
  });

  it('answers unknown paths with a 404 that says what exists, and non-GET with 405', async () => {
    const { server } = await start();
    const res = await fetch(`${server.url}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe('not found: try /metrics, /healthz or /readyz\n');
    const post = await fetch(`${server.url}/metrics`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect((await fetch(`${server.url}/metrics?debug=1`)).status).toBe(200);
  });

  it('binds 127.0.0.1 by default, not every interface', async () => {
    const { server } = await start();
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(await canConnect('127.0.0.1', server.port)).toBe(true);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (external) expect(await canConnect(external.address, server.port)).toBe(false);
  });

  it('picks a free port for port 0 and reports it', async () => {
    const a = (await start()).server;
    const b = (await start()).server;
    expect(a.port).toBeGreaterThan(0);
    expect(b.port).toBeGreaterThan(0);
    expect(a.port).not.toBe(b.port);
    expect((await fetch(`${b.url}/healthz`)).status).toBe(200);
  });

  it('says which address it could not listen on, and closes idempotently', async () => {
    const { server } = await start();
    await expect(
      startMetricsServer({ port: server.port, registry: createMetricsRegistry('x') }),
    ).rejects.toThrow(`metrics server cannot listen on 127.0.0.1:${server.port}: listen EADDRINUSE`);
    // A keep-alive client must not hold close() up.
    await fetch(`${server.url}/metrics`);
    await Promise.all([server.close(), server.close()]);
    expect(await canConnect('127.0.0.1', server.port)).toBe(false);
  });

  it('puts brackets around an IPv6 host in the URL', async () => {
    let s: RunningMetricsServer;
    try {
      s = await startMetricsServer({ host: '::1', port: 0, registry: createMetricsRegistry('v6') });
    } catch {
      return; // no IPv6 loopback on this machine
    }
    running.push(s);
    expect(s.url).toBe(`http://[::1]:${s.port}`);
  });
});
