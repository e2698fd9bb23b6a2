import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '../services/shared/config/load-config.js';
import { parseEnvFile } from '../test/integration/support/local-services.js';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..');
const SCRIPT = join(REPO, 'deploy', 'local', 'services.sh');

export interface Broker {
  brokers: string[];
  /** "external" when RISK_KAFKA_BROKERS was given, else "librdkafka mock (pid N)". */
  description: string;
  stop(): Promise<void>;
}

/**
 * The broker the kafka figures run against: RISK_KAFKA_BROKERS when set (never stopped here),
 * otherwise the librdkafka mock cluster from deploy/local/services.sh in a state dir of the
 * benchmark's own (.run/bench), stopped again by its PID file.
 */
export interface BenchTopic {
  name: string;
  partitions: number;
}

export async function startBroker(
  extraTopics: readonly BenchTopic[] = [],
  baseTopics: readonly BenchTopic[] = Object.values(loadConfig({ env: {} }).topics),
): Promise<Broker> {
  const given = (process.env.RISK_KAFKA_BROKERS ?? '').split(',').filter((b) => b.length > 0);
  if (given.length > 0) {
    await createTopics(given, extraTopics);
    return { brokers: given, description: 'external', stop: async () => {} };
  }
  const state = join(REPO, '.run', `bench-${process.pid}`);
  // The mock cluster has no working CreateTopics (no controller): pre-create everything.
  const topics = [...baseTopics, ...extraTopics].map((t) => `${t.name}:${t.partitions}`).join(',');
  const env = { ...process.env, RISK_LOCAL_STATE: state, RISK_LOCAL_KAFKA_TOPICS: topics };
  const services = (action: 'up' | 'down') =>
    run('bash', [SCRIPT, action, 'kafka'], { env, timeout: 120_000, maxBuffer: 4 << 20 });
  await services('up');
  try {
    const vars = parseEnvFile(readFileSync(join(state, 'services.env'), 'utf8'));
    const brokers = (vars.RISK_KAFKA_BROKERS ?? '').split(',').filter((b) => b.length > 0);
    if (brokers.length === 0) throw new Error(`no RISK_KAFKA_BROKERS in ${state}/services.env`);
    return {
      brokers,
      description: `librdkafka mock cluster, 3 brokers (pid ${vars.RISK_KAFKA_PID ?? '?'})`,
      stop: async () => {
        await services('down');
      },
    };
  } catch (err) {
    await services('down').catch(() => {});
    throw err;
  }
}

async function createTopics(brokers: string[], topics: readonly BenchTopic[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = new Kafka({ clientId: 'bench-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: 1 })),
    });
  } finally {
    await admin.disconnect();
  }
}
