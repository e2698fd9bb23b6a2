import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import type { TestProject } from 'vitest/node';
import { dockerReachable, startContainers } from './support/containers.js';
import type { IntegrationEnv } from './support/integration-env.js';
import { riskEnvVars } from './support/integration-env.js';
import { envFromVars, type StartedEnvironment, startLocalServices } from './support/local-services.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** librdkafka's mock cluster names itself "mockCluster<hex>". */
async function isMockCluster(brokers: string[]): Promise<boolean> {
  const admin = new Kafka({ clientId: 'integration-setup', brokers, logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const { clusterId } = await admin.describeCluster();
    return clusterId.startsWith('mockCluster');
  } finally {
    await admin.disconnect();
  }
}

/** Services someone already started (`make services-up` then eval of its exports): reuse them. */
async function external(): Promise<StartedEnvironment> {
  const brokers = (process.env.RISK_KAFKA_BROKERS ?? '').split(',').filter((b) => b.length > 0);
  const mock = await isMockCluster(brokers);
  const description =
    `external (already running, nothing started: kafka ${brokers.join(',')}` +
    `${mock ? ' (librdkafka mock cluster)' : ''}, influx ${process.env.RISK_INFLUX_URL ?? 'none'}, ` +
    `prometheus ${process.env.RISK_PROMETHEUS_URL ?? 'none'})`;
  return { env: envFromVars(process.env, 'external', description, mock), stop: async () => {} };
}

async function startEnvironment(): Promise<StartedEnvironment> {
  if (process.env.RISK_KAFKA_BROKERS) return external();
  if (await dockerReachable()) return startContainers();
  return startLocalServices(REPO_ROOT);
}

/**
 * Picks the integration environment: services named by RISK_KAFKA_BROKERS etc. if set; else
 * genuine Kafka and InfluxDB in containers when a Docker engine answers; else the local services
 * of deploy/local (librdkafka mock cluster, influxd 1.x, Prometheus). Tests read it with
 * inject('integrationEnv'). The teardown stops only what this setup started, whatever the
 * tests' outcome.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = await startEnvironment();
  const env: IntegrationEnv = started.env;
  project.provide('integrationEnv', env);
  // Test files that read RISK_* variables directly (InfluxDB, Prometheus) see the same services;
  // workers start after this and inherit it. The transport stays whatever each test chooses.
  const { RISK_TRANSPORT: _transport, ...vars } = riskEnvVars(env);
  Object.assign(process.env, vars);
  console.log(`integration environment: ${env.description}`);
  return async () => {
    await started.stop();
  };
}
