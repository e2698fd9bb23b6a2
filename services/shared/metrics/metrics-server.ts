import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServerOptions {
  /** Loopback unless told otherwise: metrics are not for the whole network by default. */
  host?: string;
  /** 0 picks a free port; the one chosen is in the result. */
  port: number;
  registry: Registry;
  /** /readyz answers 200 only while this returns true (e.g. consumer joined, model loaded). */
  ready?: () => boolean;
}

export interface RunningMetricsServer {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_METRICS_HOST = '127.0.0.1';

const TEXT = 'text/plain; charset=utf-8';

function reply(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': TEXT, 'cache-control': 'no-store', ...headers });
  res.end(body);
}

/** An IPv6 literal needs brackets in a URL. */
function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Serves /metrics (Prometheus text format), /healthz (process alive) and /readyz. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<RunningMetricsServer> {
  const host = options.host ?? DEFAULT_METRICS_HOST;
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(res, 405, 'method not allowed: use GET\n', { allow: 'GET, HEAD' });
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      options.registry
        .metrics()
        .then((body) => {
          res.writeHead(200, { 'content-type': options.registry.contentType, 'cache-control': 'no-store' });
          res.end(body);
        })
        .catch((err: unknown) => reply(res, 500, `metrics collection failed: ${(err as Error).message}\n`));
      return;
    }
    if (path === '/healthz') {
      reply(res, 200, 'ok\n');
      return;
    }
    if (path === '/readyz') {
      // A throwing readiness probe means "not ready", never a crashed process.
      let ready: boolean;
      let why = '';
      try {
        ready = options.ready?.() ?? true;
      } catch (err) {
        ready = false;
        why = `: readiness check failed: ${(err as Error).message}`;
      }
      reply(res, ready ? 200 : 503, ready ? 'ready\n' : `not ready${why}\n`);
      return;
    }
    reply(res, 404, 'not found: try /metrics, /healthz or /readyz\n');
  };
  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(new Error(`metrics server cannot listen on ${host}:${options.port}: ${err.message}`));
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    host,
    port,
    url: `http://${urlHost(host)}:${port}`,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Scrapers keep connections alive; without this close() would wait for them to go idle.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
