import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseEngine } from '../../../services/cli/commands/detect-command.js';
import { EXIT_USAGE, runCli } from '../../../services/cli/program.js';
import { DEFAULT_UNIVARIATE_PARAMS } from '../../../services/models/anomaly/univariate-detector.js';

describe('detect --engine', () => {
  let err: string[];
  beforeEach(() => {
    process.env.RISK_LOG_LEVEL = 'silent';
    err = [];
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => err.push(String(s)) > 0);
  });
  afterEach(() => {
    delete process.env.RISK_LOG_LEVEL;
    vi.restoreAllMocks();
  });

  it('selects the engine and changes nothing else in the configuration', () => {
    expect(parseEngine('tfjs')).toEqual({ ...DEFAULT_UNIVARIATE_PARAMS, engine: 'tfjs' });
    expect(parseEngine('cpu')).toEqual(DEFAULT_UNIVARIATE_PARAMS);
  });

  it('refuses an unknown engine at start, naming the flag and the choices (exit 2)', async () => {
    const code = await runCli([
      'node',
      'risk-monitor',
      'detect',
      '-i',
      'x.csv',
      '-o',
      'y.csv',
      '--engine',
      'gpu',
    ]);
    expect(code).toBe(EXIT_USAGE);
    expect(err.join('')).toContain('--engine: expected one of cpu, tfjs, got "gpu"');
  });
});
