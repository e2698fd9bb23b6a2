import { existsSync, readFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICES } from '../../../services/cli/service-registry.js';
import { configSchema } from '../../../services/shared/config/config-schema.js';
import { envLeaves } from '../../../services/shared/config/env-mapping.js';
import { loadConfig } from '../../../services/shared/config/load-config.js';
import { PACKAGE_ROOT } from '../../../services/shared/project-paths.js';
import {
  asArray,
  asObj,
  COMPOSE_DIR,
  DASHBOARDS_DIR,
  isObj,
  type Obj,
  PROMETHEUS_DIR,
  PROVISIONING_DIR,
  readYaml,
} from './deploy-files.js';

const COMPOSE_FILE = join(COMPOSE_DIR, 'docker-compose.yml');
const compose = asObj(readYaml(COMPOSE_FILE), 'docker-compose.yml');
const services = asObj(compose.services, 'services');
const service = (name: string) => asObj(services[name], `service ${name}`);

/** Services the compose file runs before `risk-monitor run` knows them (they are being built). */
const PENDING_SERVICES = new Set(['scorer']);
/** Variables the services read outside the config schema. */
const EXTRA_ENV = new Set(['RISK_CONFIG_FILE']);
/** In the compose deployment the scorer runs the windowing stage in-process; `run windowing` is for debugging. */
const NOT_DEPLOYED = new Set(['windowing']);

const CONFIG_ENV = new Set(envLeaves(configSchema).map((l) => l.env));

function environment(svc: Obj): Record<string, string> {
  const env = svc.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((e) => {
        const [k, ...v] = String(e).split('=');
        return [k!, v.join('=')];
      }),
    );
  }
  return Object.fromEntries(Object.entries(asObj(env, 'environment')).map(([k, v]) => [k, String(v)]));
}

/** What docker compose does with ${VAR:-default} / ${VAR:?message} / ${VAR}, with VAR unset. */
function interpolate(value: string): string {
  return value.replace(
    /\$\{([A-Z0-9_]+)(?::?([-?])([^}]*))?\}/g,
    (_m, name: string, op?: string, arg?: string) => (op === '-' ? (arg ?? '') : `<${name}>`),
  );
}

/** Services built from the project image. */
const riskServices = Object.entries(services)
  .filter(([, s]) => isObj(s) && s.image === 'risk-monitor:local')
  .map(([name]) => name);
/** Of those, the long-running `risk-monitor run <service>` ones. */
const runServices = riskServices.filter((name) => asArray(service(name).command, name)[0] === 'run');

function volumes(svc: Obj): { source: string; target: string }[] {
  return asArray(svc.volumes ?? [], 'volumes').map((v) => {
    const [source, target] = String(v).split(':');
    return { source: source!, target: target! };
  });
}

describe('docker-compose.yml', () => {
  it('parses as YAML (merge keys resolved) with the infrastructure services', () => {
    expect(String(service('kafka').image)).toMatch(/^apache\/kafka:\d/);
    expect(String(service('influxdb').image)).toMatch(/^influxdb:2\./);
    expect(String(service('prometheus').image)).toMatch(/^prom\/prometheus:v\d/);
    expect(String(service('grafana').image)).toMatch(/^grafana\/grafana(-oss)?:\d/);
  });

  it('runs every deployable service of `risk-monitor run` under its own name', () => {
    for (const name of runServices) {
      const command = asArray(service(name).command, name);
      expect(command, name).toEqual(['run', name]);
      expect(name in SERVICES || PENDING_SERVICES.has(name), `unknown service ${name}`).toBe(true);
    }
    for (const name of Object.keys(SERVICES).filter((n) => !NOT_DEPLOYED.has(n))) {
      expect(runServices, name).toContain(name);
    }
    expect(runServices).toContain('scorer');
  });

  it('sets only environment variables the configuration reads', () => {
    for (const name of riskServices) {
      const unknown = Object.keys(environment(service(name))).filter(
        (k) => k.startsWith('RISK_') && !CONFIG_ENV.has(k) && !EXTRA_ENV.has(k),
      );
      expect(unknown, `${name}: not in \`risk-monitor config --env-vars\``).toEqual([]);
      expect(
        Object.keys(environment(service(name))).filter((k) => !k.startsWith('RISK_')),
        name,
      ).toEqual([]);
    }
  });

  it('gives each service a configuration that loads: Kafka transport, metrics reachable by Prometheus', () => {
    const ports = new Set<number>();
    for (const name of riskServices) {
      const env = Object.fromEntries(
        Object.entries(environment(service(name))).map(([k, v]) => [k, interpolate(v)]),
      );
      const config = loadConfig({ env });
      expect(config.transport, name).toBe('kafka');
      expect(config.kafka.brokers, name).toEqual(['kafka:9092']);
      if (!runServices.includes(name)) continue;
      expect(config.metrics.enabled, name).toBe(true);
      expect(config.metrics.host, name).toBe('0.0.0.0');
      expect(ports.has(config.metrics.port), `${name} port ${config.metrics.port}`).toBe(false);
      ports.add(config.metrics.port);
    }
  });

  it('points the scorer at the InfluxDB 2 container with the bucket Grafana reads', () => {
    const env = Object.fromEntries(
      Object.entries(environment(service('scorer'))).map(([k, v]) => [k, interpolate(v)]),
    );
    const influx = loadConfig({ env }).influx;
    const init = environment(service('influxdb'));
    expect(influx).toMatchObject({ enabled: true, apiVersion: '2', url: 'http://influxdb:8086' });
    expect(influx.org).toBe(init.DOCKER_INFLUXDB_INIT_ORG);
    expect(influx.bucket).toBe(init.DOCKER_INFLUXDB_INIT_BUCKET);
    expect(environment(service('scorer')).RISK_INFLUX_TOKEN).toBe(init.DOCKER_INFLUXDB_INIT_ADMIN_TOKEN);
    const datasources = readFileSync(join(PROVISIONING_DIR, 'datasources', 'risk-monitor.yml'), 'utf8');
    expect(datasources).toContain(`dbName: ${init.DOCKER_INFLUXDB_INIT_BUCKET}`);
  });

  it('advertises the broker address the services use, in KRaft mode with a cluster id', () => {
    const kafka = environment(service('kafka'));
    expect(kafka.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(kafka.CLUSTER_ID).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(kafka.KAFKA_ADVERTISED_LISTENERS?.split(',')).toContain('PLAINTEXT://kafka:9092');
  });

  it('matches prometheus.yml: one scrape job per `run` service, on its metrics port', () => {
    const prom = asObj(readYaml(join(PROMETHEUS_DIR, 'prometheus.yml')), 'prometheus.yml');
    const targets = new Map<string, string[]>();
    for (const job of asArray(prom.scrape_configs, 'scrape_configs').map((j) => asObj(j, 'job'))) {
      const t = asArray(job.static_configs ?? [], 'static_configs').flatMap((sc) =>
        asArray(asObj(sc, 'static config').targets, 'targets').map(String),
      );
      targets.set(String(job.job_name), t);
    }
    for (const name of runServices) {
      const port = environment(service(name)).RISK_METRICS_PORT;
      expect(targets.get(name), `scrape job ${name}`).toEqual([`${name}:${port}`]);
    }
    const riskJobs = [...targets.keys()].filter((j) => j !== 'prometheus');
    expect(riskJobs.sort()).toEqual([...runServices].sort());
  });

  it('mounts the Prometheus config and the Grafana provisioning and dashboards where they are read', () => {
    const promVolumes = volumes(service('prometheus'));
    expect(promVolumes).toContainEqual({ source: '../prometheus', target: '/etc/prometheus' });
    expect(resolve(COMPOSE_DIR, '../prometheus')).toBe(PROMETHEUS_DIR);
    expect(asArray(service('prometheus').command, 'command')).toContain(
      '--config.file=/etc/prometheus/prometheus.yml',
    );

    const grafanaVolumes = volumes(service('grafana'));
    expect(grafanaVolumes).toContainEqual({
      source: '../grafana/provisioning',
      target: '/etc/grafana/provisioning',
    });
    const dashboards = grafanaVolumes.find((v) => v.source === '../grafana/dashboards');
    expect(resolve(COMPOSE_DIR, dashboards!.source)).toBe(DASHBOARDS_DIR);
    const providers = asObj(readYaml(join(PROVISIONING_DIR, 'dashboards', 'risk-monitor.yml')), 'providers');
    const path = asObj(
      asObj(asArray(providers.providers, 'providers')[0], 'provider').options,
      'options',
    ).path;
    expect(path).toBe(dashboards!.target);

    const grafanaEnv = environment(service('grafana'));
    const home = grafanaEnv.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!;
    expect(posix.dirname(home)).toBe(dashboards!.target);
    expect(existsSync(join(DASHBOARDS_DIR, posix.basename(home)))).toBe(true);

    // Grafana expands ${VAR} in provisioning files from its own environment.
    const datasources = readFileSync(join(PROVISIONING_DIR, 'datasources', 'risk-monitor.yml'), 'utf8');
    for (const m of datasources.matchAll(/\$\{([A-Z0-9_]+)\}/g))
      expect(grafanaEnv, m[1]).toHaveProperty(m[1]!);
  });

  it('builds the image from the repository root with the Dockerfile next to it', () => {
    for (const name of riskServices) {
      const build = asObj(service(name).build, `${name} build`);
      expect(resolve(COMPOSE_DIR, String(build.context))).toBe(PACKAGE_ROOT);
      expect(existsSync(join(PACKAGE_ROOT, String(build.dockerfile)))).toBe(true);
    }
    const dockerfile = readFileSync(join(COMPOSE_DIR, 'Dockerfile'), 'utf8');
    for (const m of dockerfile.matchAll(/^COPY\s+(?!--from)(.+)\s+\S+$/gm)) {
      for (const source of m[1]!.trim().split(/\s+/)) {
        expect(existsSync(join(PACKAGE_ROOT, source)), `COPY ${source}`).toBe(true);
      }
    }
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["risk-monitor"\]/m);
  });

  it('publishes ports on loopback only', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const p of asArray(asObj(s, name).ports ?? [], 'ports')) {
        expect(String(p), name).toMatch(/^127\.0\.0\.1:/);
      }
    }
  });
});
