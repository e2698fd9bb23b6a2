import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  /** Body after gunzip when it came compressed. */
  body: string;
  lines: string[];
  at: number;
}

/** What the fake answers; 'reset' destroys the socket, 'hang' never answers. */
export type FakeReply =
  | { status: number; headers?: Record<string, string>; body?: string }
  | 'reset'
  | 'hang';

/**
 * An HTTP server on loopback that records write requests and answers from a script: queued replies
 * first, then `fallback` (204 by default). Deterministic stand-in for InfluxDB in unit tests.
 */
export class FakeInfluxServer {
  readonly requests: RecordedRequest[] = [];
  fallback: FakeReply = { status: 204 };
  private readonly script: FakeReply[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private server: Server | undefined;
  private waiters: { n: number; resolve: () => void }[] = [];
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Lines of every request that got a 2xx, in arrival order. */
  delivered: string[] = [];

  reply(...replies: FakeReply[]): this {
    this.script.push(...replies);
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Resolves once `n` requests have arrived. */
  waitForRequests(n: number): Promise<void> {
    if (this.requests.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    const s = this.server;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      const lines = body.split('\n').filter((l) => l !== '');
      this.requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        lines,
        at: Date.now(),
      });
      const r = this.script.shift() ?? this.fallback;
      if (r === 'reset') req.socket.destroy();
      else if (r === 'hang') this.hanging.add(res);
      else {
        if (r.status >= 200 && r.status < 300 && req.url?.includes('write')) this.delivered.push(...lines);
        res.writeHead(r.status, r.headers ?? (r.body ? { 'content-type': 'application/json' } : {}));
        res.end(r.body ?? '');
      }
      this.waiters = this.waiters.filter((w) => {
        if (this.requests.length < w.n) return true;
        w.resolve();
        return false;
      });
    });
  }
}
