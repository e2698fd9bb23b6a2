import { describe, expect, it } from 'vitest';
import { type FoldBundle, foldScriptArgs, segmentEnd } from '../../../services/quality/fold-script-args.js';

describe('fold script arguments', () => {
  const base = { prices: 'p', macro: 'm', out: 'o.json' };

  it('names the missing flag and a malformed --until', () => {
    expect(() => foldScriptArgs({ macro: 'm', out: 'o' })).toThrow(/--prices: required/);
    expect(() => foldScriptArgs({ prices: 'p', macro: 'm' })).toThrow(/--out: required/);
    expect(() => foldScriptArgs({ ...base, until: 'soon' })).toThrow(
      /--until: expected an ISO date .* got soon/,
    );
  });

  it('parses the tickers and the end of the last segment', () => {
    const args = foldScriptArgs({ ...base, symbols: 'amzn, ko', until: '2016-12-03' });
    expect(args.symbols).toEqual(['AMZN', 'KO']);
    expect(args.until).toBe(Date.UTC(2016, 11, 3));
    expect(foldScriptArgs(base).until).toBeUndefined();
  });

  it('ends each segment at the next fold, the last at --until or the end of the data', () => {
    const folds = [{ testStart: 1 }, { testStart: 5 }] as FoldBundle[];
    expect(segmentEnd(folds, 0, 9)).toBe(5);
    expect(segmentEnd(folds, 1, 9)).toBe(9);
    expect(segmentEnd(folds, 1, undefined)).toBeUndefined();
  });
});
