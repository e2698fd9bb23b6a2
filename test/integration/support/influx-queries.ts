import { flux, fluxString, InfluxDB } from '@influxdata/influxdb-client';
import type { InfluxTarget } from './services.js';

export interface StoredValue {
  timeMs: number;
  value: number;
}

interface InfluxQlResponse {
  results?: {
    error?: string;
    series?: { name: string; columns: string[]; values: unknown[][] }[];
  }[];
  error?: string;
}

const ident = (name: string) => `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** Runs InfluxQL on a 1.x server (GET /query for reads, POST for CREATE/DROP), epoch ms. */
export async function influxQl(
  target: Pick<InfluxTarget, 'url' | 'database' | 'username' | 'password'>,
  q: string,
  method: 'GET' | 'POST' = 'GET',
): Promise<InfluxQlResponse> {
  const params = new URLSearchParams({ db: target.database, q, epoch: 'ms' });
  if (target.username) {
    params.set('u', target.username);
    params.set('p', target.password ?? '');
  }
  const res = await fetch(`${target.url}/query?${params.toString()}`, { method });
  const body = (await res.json()) as InfluxQlResponse;
  const err = body.error ?? body.results?.[0]?.error;
  if (!res.ok || err) throw new Error(`InfluxQL ${q} -> HTTP ${res.status}: ${err ?? JSON.stringify(body)}`);
  return body;
}

function queryApi(target: InfluxTarget) {
  return new InfluxDB({ url: target.url, token: target.token }).getQueryApi(target.org ?? '');
}

/** How many values `field` of `measurement` has: InfluxQL count(*) on 1.x, Flux count() on 2.x. */
export async function countValues(target: InfluxTarget, measurement: string, field: string): Promise<number> {
  if (target.apiVersion === '1') {
    const body = await influxQl(target, `SELECT count(*) FROM ${ident(measurement)}`);
    const series = body.results?.[0]?.series?.[0];
    if (!series) return 0;
    const col = series.columns.indexOf(`count_${field}`);
    return Number(series.values[0]?.[col] ?? 0);
  }
  const rows = await queryApi(target).collectRows<{ _value: number }>(
    flux`from(bucket: ${fluxString(target.bucket ?? '')})
      |> range(start: 1970-01-01T00:00:00Z)
      |> filter(fn: (r) => r._measurement == ${fluxString(measurement)} and r._field == ${fluxString(field)})
      |> count()`,
  );
  return rows.reduce((sum, r) => sum + Number(r._value), 0);
}

/** Every (time, value) of a numeric field, oldest first. */
export async function readValues(
  target: InfluxTarget,
  measurement: string,
  field: string,
): Promise<StoredValue[]> {
  if (target.apiVersion === '1') {
    const body = await influxQl(target, `SELECT ${ident(field)} FROM ${ident(measurement)}`);
    const series = body.results?.[0]?.series?.[0];
    return (series?.values ?? []).map((v) => ({ timeMs: Number(v[0]), value: Number(v[1]) }));
  }
  const rows = await queryApi(target).collectRows<{ _time: string; _value: number }>(
    flux`from(bucket: ${fluxString(target.bucket ?? '')})
      |> range(start: 1970-01-01T00:00:00Z)
      |> filter(fn: (r) => r._measurement == ${fluxString(measurement)} and r._field == ${fluxString(field)})
      |> group()
      |> sort(columns: ["_time"])`,
  );
  return rows.map((r) => ({ timeMs: Date.parse(r._time), value: Number(r._value) }));
}

/** CREATE DATABASE on 1.x (idempotent); on 2.x the bucket is the environment's. */
export async function ensureDatabase(target: InfluxTarget): Promise<void> {
  if (target.apiVersion === '1') await influxQl(target, `CREATE DATABASE ${ident(target.database)}`, 'POST');
}
