import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { StartedEnvironment } from './local-services.js';

const KAFKA_IMAGE = process.env.RISK_IT_KAFKA_IMAGE ?? 'apache/kafka:3.9.0';
const INFLUX_IMAGE = process.env.RISK_IT_INFLUX_IMAGE ?? 'influxdb:2.7';

async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * True when a Docker engine answers. Without DOCKER_HOST or a known socket it does not even load
 * testcontainers (its discovery would take seconds to give up).
 */
export async function dockerReachable(): Promise<boolean> {
  if (process.env.RISK_IT_DOCKER === '0') return false;
  const hints = [
    '/var/run/docker.sock',
    join(homedir(), '.docker', 'run', 'docker.sock'),
    join(homedir(), '.docker', 'desktop', 'docker.sock'),
    `/run/user/${process.getuid?.() ?? 0}/docker.sock`,
    join(homedir(), '.testcontainers.properties'),
  ];
  if (!process.env.DOCKER_HOST && !hints.some((p) => existsSync(p))) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await within(getContainerRuntimeClient(), 20_000, 'docker');
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Genuine Kafka (apache/kafka, KRaft, one node) and InfluxDB 2 in containers. The Kafka module
 * of testcontainers 11 drives Confluent's start script, which the apache/kafka image lacks, so
 * Kafka is a GenericContainer configured by environment (KIP-975) on a host port picked up front:
 * the advertised listener must name the port clients reach from the host.
 * Prometheus is left out: it would have to scrape metric servers that listen on the host's
 * loopback, which a container cannot reach.
 */
export async function startContainers(): Promise<StartedEnvironment> {
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  const host = client.info.containerRuntime.host;
  const started: { stop(): Promise<unknown> }[] = [];
  const stop = async () => {
    const results = await Promise.allSettled(started.reverse().map((c) => c.stop()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  try {
    const kafkaPort = await freePort();
    const kafka = await new GenericContainer(KAFKA_IMAGE)
      .withExposedPorts({ container: 9092, host: kafkaPort })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${kafkaPort}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_NUM_PARTITIONS: '3',
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .withStartupTimeout(180_000)
      .start();
    started.push(kafka);

    const token = randomBytes(24).toString('hex');
    const influx = await new GenericContainer(INFLUX_IMAGE)
      .withExposedPorts(8086)
      .withEnvironment({
        DOCKER_INFLUXDB_INIT_MODE: 'setup',
        DOCKER_INFLUXDB_INIT_USERNAME: 'risk',
        DOCKER_INFLUXDB_INIT_PASSWORD: 'risk-monitor-it',
        DOCKER_INFLUXDB_INIT_ORG: 'risk',
        DOCKER_INFLUXDB_INIT_BUCKET: 'risk',
        DOCKER_INFLUXDB_INIT_ADMIN_TOKEN: token,
      })
      .withWaitStrategy(Wait.forHttp('/health', 8086).forStatusCode(200))
      .withStartupTimeout(120_000)
      .start();
    started.push(influx);

    return {
      env: {
        kind: 'testcontainers',
        description: `testcontainers (${KAFKA_IMAGE} KRaft single node, ${INFLUX_IMAGE}; no Prometheus)`,
        kafka: { brokers: [`${host}:${kafkaPort}`], mock: false, localState: null },
        influx: {
          url: `http://${influx.getHost()}:${influx.getMappedPort(8086)}`,
          apiVersion: '2',
          database: 'risk',
          org: 'risk',
          bucket: 'risk',
          token,
        },
        prometheus: null,
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}
