import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type InfluxConfig, influxConfig } from '../../../services/shared/config/influx-config.js';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** The InfluxDB the integration run shares: 1.x (local services) or 2.x (containers). */
export interface InfluxTarget {
  url: string;
  apiVersion: '1' | '2';
  /** v1 */
  database: string;
  username?: string | undefined;
  password?: string | undefined;
  /** v2 */
  token?: string | undefined;
  org?: string | undefined;
  bucket?: string | undefined;
}

export interface PrometheusTarget {
  url: string;
  /** file_sd JSON file the Prometheus scrape job watches; tests add their targets to it. */
  targetsFile: string;
}

export interface Services {
  influx: InfluxTarget;
  prometheus: PrometheusTarget;
  /** Stops what `useServices` started itself (nothing when the environment provided them). */
  release(): Promise<void>;
}

type Env = Record<string, string | undefined>;

export function influxFromEnv(env: Env = process.env): InfluxTarget | undefined {
  const url = env.RISK_INFLUX_URL;
  if (!url) return undefined;
  const apiVersion = env.RISK_INFLUX_API_VERSION === '2' ? '2' : '1';
  return {
    url,
    apiVersion,
    database: env.RISK_INFLUX_DATABASE ?? 'risk',
    username: env.RISK_INFLUX_USERNAME,
    password: env.RISK_INFLUX_PASSWORD,
    token: env.RISK_INFLUX_TOKEN,
    org: env.RISK_INFLUX_ORG,
    bucket: env.RISK_INFLUX_BUCKET,
  };
}

export function prometheusFromEnv(env: Env = process.env): PrometheusTarget | undefined {
  const url = env.RISK_PROMETHEUS_URL;
  const targetsFile = env.RISK_PROMETHEUS_TARGETS_FILE;
  return url && targetsFile ? { url, targetsFile } : undefined;
}

/** A sink config for the target, with test-friendly timings unless overridden. */
export function sinkConfig(target: InfluxTarget, over: Partial<InfluxConfig> = {}): InfluxConfig {
  return influxConfig.parse({
    enabled: true,
    apiVersion: target.apiVersion,
    url: target.url,
    database: target.database,
    username: target.username,
    password: target.password,
    token: target.token,
    org: target.org,
    bucket: target.bucket,
    flushIntervalMs: 100,
    retryBaseMs: 50,
    retryMaxMs: 500,
    timeoutMs: 5_000,
    closeTimeoutMs: 30_000,
    ...over,
  });
}

function readEnvFile(file: string): Env {
  const env: Env = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

/**
 * InfluxDB and Prometheus from the environment (global-setup exports RISK_INFLUX_* and
 * RISK_PROMETHEUS_*; so does `eval "$(deploy/local/services.sh env)"`). When they are not set, e.g.
 * a single file run without global setup, starts them with deploy/local/services.sh in a temp state
 * dir and stops them (by PID, through the script) on release.
 */
export async function useServices(): Promise<Services> {
  const influx = influxFromEnv();
  const prometheus = prometheusFromEnv();
  if (influx && prometheus) return { influx, prometheus, release: async () => {} };
  const state = mkdtempSync(join(tmpdir(), 'risk-itest-services-'));
  const script = join(REPO_ROOT, 'deploy/local/services.sh');
  const env = { ...process.env, RISK_LOCAL_STATE: state };
  const release = async () => {
    await run('bash', [script, 'down', 'influxdb', 'prometheus'], { env }).catch(() => undefined);
    rmSync(state, { recursive: true, force: true });
  };
  try {
    await run('bash', [script, 'up', 'influxdb', 'prometheus'], { env, timeout: 90_000 });
    const started = readEnvFile(join(state, 'services.env'));
    const i = influx ?? influxFromEnv(started);
    const p = prometheus ?? prometheusFromEnv(started);
    if (!i || !p)
      throw new Error(`services.sh did not report InfluxDB and Prometheus in ${state}/services.env`);
    return { influx: i, prometheus: p, release };
  } catch (err) {
    await release();
    throw err;
  }
}
