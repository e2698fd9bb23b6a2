import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXIT_OK, EXIT_USAGE, runCli } from '../../../services/cli/program.js';
import { SERVICES } from '../../../services/cli/service-registry.js';

const cli = (...args: string[]) => runCli(['node', 'risk-monitor', ...args]);

describe('ingest commands', () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    process.env.RISK_LOG_LEVEL = 'silent';
    out = [];
    err = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => err.push(String(s)) > 0);
  });
  afterEach(() => {
    delete process.env.RISK_LOG_LEVEL;
    vi.restoreAllMocks();
  });

  it('registers the three consumers', () => {
    expect(Object.keys(SERVICES)).toEqual(
      expect.arrayContaining(['ticks-consumer', 'macro-consumer', 'news-consumer']),
    );
  });

  it('run refuses an unknown service with the list of known ones (exit 2)', async () => {
    expect(await cli('run', 'nope')).toBe(EXIT_USAGE);
    expect(err.join('')).toContain(
      'unknown service "nope": expected one of ticks-consumer, macro-consumer, news-consumer',
    );
  });

  it('replay refuses bad flags with exit 2', async () => {
    expect(await cli('replay', '--speed', '0')).toBe(EXIT_USAGE);
    expect(await cli('replay', '--from', '2017-02-01', '--to-date', '2017-01-01')).toBe(EXIT_USAGE);
    expect(await cli('replay', '--symbols', 'AAPL,ZZZZ')).toBe(EXIT_USAGE);
    expect(err.join('')).toMatch(
      /--speed: expected records per second > 0.*--to-date 2017-01-01 is before --from 2017-02-01.*no price file for ZZZZ/s,
    );
  });

  it('replay --to embedded runs the consumers and prints what they produced', async () => {
    expect(
      await cli(
        'replay',
        '--to',
        'embedded',
        '--symbols',
        'AAPL',
        '--from',
        '2017-08-01',
        '--to-date',
        '2017-08-31',
      ),
    ).toBe(EXIT_OK);
    const summary = JSON.parse(out.join('').trim().split('\n').pop() as string);
    // 23 trading days in August 2017, 4 ticks each; no holidays, so one bar per day.
    expect(summary.produced.ticks).toBe(23 * 4);
    expect(summary.features.market).toBe(23);
    expect(summary.features.sentiment).toBe(summary.produced.news);
    expect(summary.features.macro).toBe(summary.produced.macro);
    expect(summary.deadLetters).toEqual({});
  });
});
