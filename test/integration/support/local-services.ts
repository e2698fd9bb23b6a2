import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { IntegrationEnv } from './integration-env.js';

const run = promisify(execFile);

export interface StartedEnvironment {
  env: IntegrationEnv;
  stop(): Promise<void>;
}

/** KEY=VALUE lines of a services.env file (comments and blank lines skipped). */
export function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq > 0) vars[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return vars;
}

async function versionOf(command: string, args: string[], pattern: RegExp): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, { timeout: 10_000 });
    return pattern.exec(`${stdout}\n${stderr}`)?.[1] ?? 'unknown version';
  } catch {
    return 'unknown version';
  }
}

function librdkafkaVersion(stateDir: string): { version: string; brokers: string } {
  try {
    const log = readFileSync(join(stateDir, 'kafka.log'), 'utf8');
    const m = /librdkafka (\S+), (\d+) broker/.exec(log);
    if (m) return { version: m[1] as string, brokers: m[2] as string };
  } catch {
    // described as unknown below
  }
  return { version: 'unknown version', brokers: '?' };
}

/** The environment described by RISK_* variables (from services.env or the process). */
export function envFromVars(
  vars: Record<string, string | undefined>,
  kind: IntegrationEnv['kind'],
  description: string,
  mock: boolean,
): IntegrationEnv {
  const brokers = (vars.RISK_KAFKA_BROKERS ?? '').split(',').filter((b) => b.length > 0);
  if (brokers.length === 0) throw new Error('RISK_KAFKA_BROKERS is empty: no Kafka broker to test against');
  return {
    kind,
    description,
    kafka: { brokers, mock, localState: vars.RISK_LOCAL_STATE ?? null },
    influx: vars.RISK_INFLUX_URL
      ? {
          url: vars.RISK_INFLUX_URL,
          apiVersion: vars.RISK_INFLUX_API_VERSION === '1' ? '1' : '2',
          database: vars.RISK_INFLUX_DATABASE ?? 'risk',
          org: vars.RISK_INFLUX_ORG ?? null,
          bucket: vars.RISK_INFLUX_BUCKET ?? null,
          token: vars.RISK_INFLUX_TOKEN ?? null,
        }
      : null,
    prometheus:
      vars.RISK_PROMETHEUS_URL && vars.RISK_PROMETHEUS_TARGETS_FILE
        ? { url: vars.RISK_PROMETHEUS_URL, targetsFile: vars.RISK_PROMETHEUS_TARGETS_FILE }
        : null,
  };
}

/**
 * Starts the Docker-free local services (librdkafka mock cluster, influxd 1.x, Prometheus) with
 * deploy/local/services.sh in a state dir of their own, so services a developer started with
 * `make services-up` are neither reused nor stopped by the tests.
 */
export async function startLocalServices(repoRoot: string): Promise<StartedEnvironment> {
  const script = join(repoRoot, 'deploy', 'local', 'services.sh');
  if (!existsSync(script)) {
    throw new Error(
      `integration tests need Docker (for testcontainers) or ${script} (local services); found neither`,
    );
  }
  const stateDir = process.env.RISK_IT_STATE_DIR ?? join(repoRoot, '.run', 'integration');
  const scriptEnv = { ...process.env, RISK_LOCAL_STATE: stateDir };
  const services = (action: 'up' | 'down') =>
    run('bash', [script, action, 'all'], { env: scriptEnv, timeout: 240_000, maxBuffer: 4 << 20 });
  const stop = async () => {
    await services('down');
  };
  try {
    await services('up');
  } catch (err) {
    const e = err as Error & { stderr?: string };
    await stop().catch(() => {});
    throw new Error(
      `deploy/local/services.sh up all failed (state ${stateDir}): ${e.message}\n${e.stderr ?? ''}\n` +
        'Install the services with `make system-deps` (or `bash deploy/local/services.sh install` as root).',
    );
  }
  try {
    const vars = parseEnvFile(readFileSync(join(stateDir, 'services.env'), 'utf8'));
    const rdkafka = librdkafkaVersion(stateDir);
    const influxd = await versionOf(
      process.env.RISK_LOCAL_INFLUXD ?? 'influxd',
      ['version'],
      /v?(\d+\.\d+\.\d+)/,
    );
    const prometheus = await versionOf(
      process.env.RISK_LOCAL_PROMETHEUS ?? 'prometheus',
      ['--version'],
      /version (\d+\.\d+(?:\.\d+)?)/,
    );
    const description =
      `local (librdkafka ${rdkafka.version} mock cluster ${rdkafka.brokers} brokers, ` +
      `influxd ${influxd}, prometheus ${prometheus})`;
    return { env: envFromVars(vars, 'local', description, true), stop };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}
