import { Point } from '@influxdata/influxdb-client';
import { describe, expect, it } from 'vitest';
import { msTimestamp, pointToLine, toLine } from '../../../../services/shared/influx/line-protocol.js';

const line = (...args: Parameters<typeof toLine>) => {
  const r = toLine(...args);
  if (!r.ok) throw new Error(r.reason);
  return r.line;
};

describe('line protocol', () => {
  it('writes sorted tags, typed fields and an ms timestamp', () => {
    expect(
      line(
        'risk_score',
        { symbol: 'AAPL', model_version: 'v3' },
        { var95: 0.0123, event_probability: 0.5, trades: 42n, filled: true, alert_id: 'a-1' },
        1_700_000_000_123,
      ),
    ).toBe(
      'risk_score,model_version=v3,symbol=AAPL alert_id="a-1",event_probability=0.5,filled=T,trades=42i,var95=0.0123 1700000000123',
    );
  });

  it('writes whole numbers as floats so a field never changes type', () => {
    expect(line('m', {}, { x: 3 }, 0)).toBe('m x=3 0');
    expect(line('m', {}, { x: 3.5 }, 0)).toBe('m x=3.5 0');
  });

  it('escapes measurement, tag and field syntax and quotes strings', () => {
    expect(line('my meas,x', { 'k ey': 'v,a=l ue' }, { 'f=1': 'say "hi"\\' }, 5)).toBe(
      'my\\ meas\\,x,k\\ ey=v\\,a\\=l\\ ue f\\=1="say \\"hi\\"\\\\" 5',
    );
  });

  it('leaves out empty tags and non-finite numbers, keeps big integers exact and pre-1970 times', () => {
    expect(line('m', { a: '', b: 'x', c: undefined }, { n: Number.NaN, i: 2n ** 62n, ok: 1 }, -5)).toBe(
      `m,b=x i=${2n ** 62n}i,ok=1 -5`,
    );
  });

  it('explains why a point cannot be written', () => {
    expect(toLine('', {}, { x: 1 }, 0)).toEqual({ ok: false, reason: 'empty measurement name' });
    expect(toLine('m', {}, {}, 0)).toEqual({ ok: false, reason: 'measurement m: no fields' });
    expect(toLine('m', {}, { x: Number.POSITIVE_INFINITY }, 0)).toEqual({
      ok: false,
      reason: 'measurement m: every field was NaN or infinite',
    });
    expect(toLine('m', {}, { x: 1 }, Number.NaN)).toMatchObject({ ok: false });
    expect(toLine('m', {}, { x: 2n ** 63n }, 0)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('int64'),
    });
  });

  it('serialises library Points at ms precision', () => {
    expect(pointToLine(new Point('m').tag('s', 'X').floatField('v', 1.5).timestamp(new Date(1234)))).toBe(
      'm,s=X v=1.5 1234',
    );
    expect(pointToLine(new Point('m').floatField('v', 1).timestamp(99.7))).toBe('m v=1 99');
    expect(pointToLine(new Point('m').floatField('v', 1).timestamp(''))).toBe('m v=1');
    expect(pointToLine(new Point('m'))).toBeUndefined();
    expect(Number(msTimestamp(undefined))).toBeGreaterThan(1_600_000_000_000);
  });
});
