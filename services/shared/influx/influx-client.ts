import { InfluxDB } from '@influxdata/influxdb-client';
import type { InfluxConfig } from '../config/influx-config.js';
import { V1WriteTransport } from './v1-write-transport.js';

export interface InfluxConnection {
  /** The library client: its transport speaks v2 paths whatever the server version. */
  client: InfluxDB;
  /** The v2 write path for the configured target at ms precision (rewritten for 1.x by the transport). */
  writePath: string;
  /** Where writes go, without credentials, for logs. */
  describe: string;
}

/** `database` or `database/retention-policy`, the 1.8 compatibility API's name for a 1.x target. */
export function v1Bucket(config: Pick<InfluxConfig, 'database' | 'retentionPolicy'>): string {
  return config.retentionPolicy ? `${config.database}/${config.retentionPolicy}` : config.database;
}

/**
 * An InfluxDB client for either API version. For 2.x/3.x it is the library's client with token auth;
 * for 1.x the library's node transport is wrapped in a V1WriteTransport, so callers (the sink, a
 * WriteApi, /ping) never branch on the version.
 */
export function createInfluxClient(config: InfluxConfig): InfluxConnection {
  if (config.apiVersion === '2') {
    const client = new InfluxDB({ url: config.url, token: config.token, timeout: config.timeoutMs });
    const q = new URLSearchParams({ org: config.org ?? '', bucket: config.bucket ?? '', precision: 'ms' });
    return {
      client,
      writePath: `/api/v2/write?${q.toString()}`,
      describe: `InfluxDB v2 API ${config.url} org=${config.org} bucket=${config.bucket}`,
    };
  }
  const base = new InfluxDB({ url: config.url, timeout: config.timeoutMs }).transport;
  const transport = new V1WriteTransport(base, { username: config.username, password: config.password });
  const client = new InfluxDB({ url: config.url, timeout: config.timeoutMs, transport });
  const q = new URLSearchParams({ org: '-', bucket: v1Bucket(config), precision: 'ms' });
  return {
    client,
    writePath: `/api/v2/write?${q.toString()}`,
    describe: `InfluxDB v1 API ${config.url} db=${config.database} rp=${config.retentionPolicy ?? '(default)'}`,
  };
}
