/**
 * What the integration global setup started (or found) and hands to every test file through
 * vitest's provide/inject. Plain data only: it crosses into the test workers.
 */
export interface IntegrationEnv {
  kind: 'testcontainers' | 'local' | 'external';
  /** One line for humans, printed by the setup. */
  description: string;
  kafka: {
    brokers: string[];
    /** librdkafka's mock cluster: no CreateTopics, rebalances wait sessionTimeout - 1 s. */
    mock: boolean;
    /** deploy/local state dir of the mock (topics are created through its control FIFO). */
    localState: string | null;
  };
  influx: {
    url: string;
    apiVersion: '1' | '2';
    database: string;
    org: string | null;
    bucket: string | null;
    token: string | null;
  } | null;
  prometheus: { url: string; targetsFile: string } | null;
}

declare module 'vitest' {
  export interface ProvidedContext {
    integrationEnv: IntegrationEnv;
  }
}

/** The RISK_* variables that point a risk-monitor process (CLI, service) at this environment. */
export function riskEnvVars(env: IntegrationEnv): Record<string, string> {
  const vars: Record<string, string> = {
    RISK_TRANSPORT: 'kafka',
    RISK_KAFKA_BROKERS: env.kafka.brokers.join(','),
  };
  if (env.influx) {
    vars.RISK_INFLUX_URL = env.influx.url;
    vars.RISK_INFLUX_API_VERSION = env.influx.apiVersion;
    vars.RISK_INFLUX_DATABASE = env.influx.database;
    if (env.influx.org) vars.RISK_INFLUX_ORG = env.influx.org;
    if (env.influx.bucket) vars.RISK_INFLUX_BUCKET = env.influx.bucket;
    if (env.influx.token) vars.RISK_INFLUX_TOKEN = env.influx.token;
  }
  if (env.prometheus) {
    vars.RISK_PROMETHEUS_URL = env.prometheus.url;
    vars.RISK_PROMETHEUS_TARGETS_FILE = env.prometheus.targetsFile;
  }
  return vars;
}
