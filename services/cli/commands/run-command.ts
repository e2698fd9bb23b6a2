import type { Command } from 'commander';
import { createTransport } from '../../shared/bus/create-transport.js';
import { createCodec } from '../../shared/codec/create-codec.js';
import { loadConfig } from '../../shared/config/load-config.js';
import { redact } from '../../shared/config/redact.js';
import { createLogger } from '../../shared/logging/logger.js';
import { createMetricsRegistry } from '../../shared/metrics/metrics-registry.js';
import { startMetricsServer } from '../../shared/metrics/metrics-server.js';
import { SERVICES } from '../service-registry.js';
import { UsageError } from '../usage-error.js';

/** `risk-monitor run <service>`: one service in its own process until SIGINT/SIGTERM or its input ends. */
export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description(`run one service: ${Object.keys(SERVICES).join(', ')}`)
    .argument('<service>', 'service name')
    .option('-c, --config <file>', 'JSON config file (default: $RISK_CONFIG_FILE)')
    .action(async (name: string, opts: { config?: string }) => {
      const factory = SERVICES[name];
      if (!factory) {
        throw new UsageError(
          `unknown service "${name}": expected one of ${Object.keys(SERVICES).join(', ')}`,
        );
      }
      const config = loadConfig({ file: opts.config });
      const logger = createLogger(name, config.log);
      const metrics = createMetricsRegistry(name);
      logger.info({ config: redact(config) }, 'starting');
      const transport = createTransport(config, logger, metrics);
      const codec = await createCodec({
        schemaRegistryUrl: config.kafka.schemaRegistryUrl,
        schemaRegistryUsername: config.kafka.schemaRegistryUsername,
        schemaRegistryPassword: config.kafka.schemaRegistryPassword,
      });
      const service = await factory({ config, transport, codec, logger, metrics, now: Date.now });
      const server = config.metrics.enabled
        ? await startMetricsServer({
            host: config.metrics.host,
            port: config.metrics.port,
            registry: metrics,
            ready: () => service.ready(),
          })
        : undefined;
      if (server) logger.info({ url: `${server.url}/metrics` }, 'metrics served');

      let signalled: string | undefined;
      const stopped = new Promise<void>((resolve) => {
        const onSignal = (signal: string) => {
          if (signalled) return;
          signalled = signal;
          logger.info({ signal }, 'stopping');
          resolve();
        };
        process.once('SIGINT', () => onSignal('SIGINT'));
        process.once('SIGTERM', () => onSignal('SIGTERM'));
      });
      try {
        await Promise.race([stopped, service.done]);
      } finally {
        await service.stop();
        await server?.close();
        await transport.close();
        logger.info({ signal: signalled ?? null }, 'stopped');
        logger.flush();
      }
    });
}
