import type { Command } from 'commander';
import { configSchema } from '../../shared/config/config-schema.js';
import { envLeaves } from '../../shared/config/env-mapping.js';
import { loadConfig } from '../../shared/config/load-config.js';
import { redact } from '../../shared/config/redact.js';

export function registerConfigCommand(program: Command): void {
  program
    .command('config')
    .description(
      'print the effective configuration (defaults < --config file < RISK_* env), secrets redacted',
    )
    .option('-c, --config <file>', 'JSON config file (default: $RISK_CONFIG_FILE)')
    .option('--env-vars', 'list every environment variable the configuration reads instead')
    .action((opts: { config?: string; envVars?: boolean }) => {
      if (opts.envVars) {
        for (const leaf of envLeaves(configSchema))
          process.stdout.write(`${leaf.env}\t${leaf.path.join('.')}\n`);
        return;
      }
      const config = loadConfig({ file: opts.config });
      process.stdout.write(`${JSON.stringify(redact(config), null, 2)}\n`);
    });
}
