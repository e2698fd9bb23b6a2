import type {
  ChunkCombiner,
  CommunicationObserver,
  ResponseStartedFn,
  SendOptions,
  Transport,
} from '@influxdata/influxdb-client';

export interface V1Credentials {
  username?: string | undefined;
  password?: string | undefined;
}

const V2_WRITE = '/api/v2/write';

/** v2 precision names to the 1.x `precision` parameter (1.x says n/u where 2.x says ns/us). */
const V1_PRECISION: Readonly<Record<string, string>> = { ns: 'n', us: 'u', ms: 'ms', s: 's' };

/**
 * Rewrites a v2 write path to the InfluxDB 1.x write endpoint. The bucket follows the convention of
 * the 1.8 compatibility API: `database` or `database/retention-policy`.
 * `/api/v2/write?org=-&bucket=risk/autogen&precision=ms` -> `/write?db=risk&rp=autogen&precision=ms`.
 * Returns undefined for any other path.
 */
export function v1WritePath(path: string): string | undefined {
  const [base, query = ''] = path.split('?', 2) as [string, string?];
  if (base !== V2_WRITE) return undefined;
  const v2 = new URLSearchParams(query);
  const bucket = v2.get('bucket') ?? '';
  const slash = bucket.indexOf('/');
  const db = slash < 0 ? bucket : bucket.slice(0, slash);
  const rp = slash < 0 ? '' : bucket.slice(slash + 1);
  const v1 = new URLSearchParams({ db });
  if (rp !== '') v1.set('rp', rp);
  const precision = v2.get('precision');
  if (precision) v1.set('precision', V1_PRECISION[precision] ?? precision);
  const consistency = v2.get('consistency');
  if (consistency) v1.set('consistency', consistency);
  return `/write?${v1.toString()}`;
}

/**
 * A Transport for @influxdata/influxdb-client that lets everything written for the v2 API land on an
 * InfluxDB 1.x server (1.0-1.7 have no /api/v2/write; 1.8 has it but we also serve older servers,
 * e.g. Debian's 1.6). Write requests are rewritten to `/write?db=&rp=&precision=` with HTTP Basic
 * credentials; every other request (/ping, /query) passes through unchanged.
 *
 * Why a Transport rather than a special code path in the sink: the sink, the library's WriteApi and
 * anyone else holding an `InfluxDB` built by `createInfluxClient` all speak v2 paths, and the
 * version difference lives in this one place. It wraps the library's own node transport, so timeouts,
 * gzip, keep-alive and HttpError (status, body, headers) behave the same for both versions.
 */
export class V1WriteTransport implements Transport {
  private readonly authorization: string | undefined;

  constructor(
    private readonly inner: Transport,
    credentials: V1Credentials = {},
  ) {
    this.authorization =
      credentials.username !== undefined && credentials.username !== ''
        ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password ?? ''}`).toString('base64')}`
        : undefined;
  }

  get chunkCombiner(): ChunkCombiner {
    return this.inner.chunkCombiner;
  }

  send(
    path: string,
    requestBody: string,
    options: SendOptions,
    callbacks?: Partial<CommunicationObserver<Uint8Array>>,
  ): void {
    const r = this.rewrite(path, options);
    this.inner.send(r.path, requestBody, r.options, callbacks);
  }

  request(
    path: string,
    requestBody: unknown,
    options: SendOptions,
    responseStarted?: ResponseStartedFn,
  ): Promise<unknown> {
    const r = this.rewrite(path, options);
    return this.inner.request(r.path, requestBody, r.options, responseStarted) as Promise<unknown>;
  }

  iterate(path: string, requestBody: unknown, options: SendOptions): AsyncIterableIterator<Uint8Array> {
    const r = this.rewrite(path, options);
    return this.inner.iterate(r.path, requestBody, r.options);
  }

  private rewrite(path: string, options: SendOptions): { path: string; options: SendOptions } {
    return { path: v1WritePath(path) ?? path, options: this.withAuth(options) };
  }

  private withAuth(options: SendOptions): SendOptions {
    if (!this.authorization) return options;
    return { ...options, headers: { ...options.headers, authorization: this.authorization } };
  }
}
