import { join } from 'node:path';
import type { Command } from 'commander';
import { JsonDemoView, TtyDemoView } from '../../demo/demo-view.js';
import { runDemo } from '../../demo/run-demo.js';
import { UsageError } from '../usage-error.js';

interface DemoFlags {
  speed: string;
  symbols?: string;
  from?: string;
  toDate?: string;
  alerts: string;
  metricsPort: string;
  registry?: string;
  config?: string;
  json?: boolean;
}

const day = (flag: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const t = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  if (!Number.isFinite(t))
    throw new UsageError(`${flag}: expected a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return t;
};

/** `risk-monitor demo`: the whole pipeline in one process over the bundled real data. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run every service in one process on the embedded bus over the bundled real data')
    .option('--speed <n>', 'input records per second, or max', 'max')
    .option('--symbols <list>', 'comma-separated tickers (default: all 24 bundled)')
    .option('--from <date>', 'first trading day replayed, YYYY-MM-DD')
    .option('--to-date <date>', 'last trading day replayed, YYYY-MM-DD')
    .option('--alerts <file>', 'JSONL file every alert is written to', join('out', 'demo-alerts.jsonl'))
    .option('--metrics-port <n>', 'port of /metrics on 127.0.0.1 (0 = any free port)', '0')
    .option('--registry <dir>', 'model registry to serve from (default: the committed bundles)')
    .option('--json', 'JSON lines output even on a terminal')
    .option('-c, --config <file>', 'JSON config file (default: $RISK_CONFIG_FILE)')
    .action(async (flags: DemoFlags) => {
      const speed = flags.speed === 'max' ? 'max' : Number(flags.speed);
      if (speed !== 'max' && !(Number.isFinite(speed) && speed > 0)) {
        throw new UsageError(
          `--speed: expected records per second > 0 or "max", got ${JSON.stringify(flags.speed)}`,
        );
      }
      const port = Number(flags.metricsPort);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        throw new UsageError(
          `--metrics-port: expected a port 0-65535, got ${JSON.stringify(flags.metricsPort)}`,
        );
      }
      const symbols = flags.symbols
        ?.split(',')
        .map((s) => s.trim().toUpperCase())
        .filter((s) => s.length > 0);
      const tty = process.stdout.isTTY === true && !flags.json;
      const view = tty ? new TtyDemoView(process.stdout) : new JsonDemoView(process.stdout);
      const result = await runDemo({
        speed,
        symbols,
        from: day('--from', flags.from),
        toDate: day('--to-date', flags.toDate),
        alertsFile: flags.alerts,
        metricsPort: port,
        registryDir: flags.registry,
        configFile: flags.config,
        view,
      });
      view.summary(result.summary, {
        models: `risk ${result.models.risk}, anomaly ${result.models.anomaly}`,
        alertsFile: result.alertsFile,
        metrics: `${result.metricsUrl}/metrics (served while the demo ran)`,
      });
    });
}
