import { Command, CommanderError } from 'commander';
import { ConfigError } from '../shared/config/config-error.js';
import { registerConfigCommand } from './commands/config-command.js';
import { registerDemoCommand } from './commands/demo-command.js';
import { registerDetectCommand } from './commands/detect-command.js';
import { registerEvaluateCommand } from './commands/evaluate-command.js';
import { registerModelsCommand } from './commands/models-command.js';
import { registerNabCommand } from './commands/nab-command.js';
import { registerReplayCommand } from './commands/replay-command.js';
import { registerRetrainCommand } from './commands/retrain-command.js';
import { registerRunCommand } from './commands/run-command.js';
import { registerSimulateCommand } from './commands/simulate-command.js';
import { registerTrainCommand } from './commands/train-command.js';
import { readPackageVersion } from './package-version.js';
import { UsageError } from './usage-error.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Every subcommand registers itself here; each lives in commands/<name>-command.ts. */
export function buildProgram(): Command {
  const program = new Command('risk-monitor')
    .description('Real-time financial risk monitor: feeds in, features, LSTM scores, alerts out')
    .version(readPackageVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerConfigCommand(program);
  registerRunCommand(program);
  registerReplayCommand(program);
  registerDetectCommand(program);
  registerNabCommand(program);
  registerTrainCommand(program);
  registerEvaluateCommand(program);
  registerRetrainCommand(program);
  registerModelsCommand(program);
  registerDemoCommand(program);
  registerSimulateCommand(program);
  return program;
}

/** Runs the CLI and returns the process exit code (2 for bad arguments or configuration). */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) {
        return EXIT_OK;
      }
      return EXIT_USAGE;
    }
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`error: ${err.message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT_FAILURE;
  }
}
