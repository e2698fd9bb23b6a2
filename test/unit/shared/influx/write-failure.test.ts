import { HttpError, RequestTimedOutError } from '@influxdata/influxdb-client';
import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  classifyWriteError,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  serverMessage,
} from '../../../../services/shared/influx/write-failure.js';

const http = (status: number, body = '', headers: Record<string, string> = {}) =>
  new HttpError(status, 'x', body, headers['retry-after'], 'application/json', undefined, headers);

describe('write failure classification', () => {
  it('retries 5xx, 429, timeouts and network errors; rejects other 4xx', () => {
    expect(classifyWriteError(http(503), 0)).toMatchObject({
      kind: 'server_error',
      retriable: true,
      status: 503,
    });
    expect(classifyWriteError(http(500), 0)).toMatchObject({ kind: 'server_error', retriable: true });
    expect(classifyWriteError(http(429), 0)).toMatchObject({ kind: 'throttled', retriable: true });
    for (const s of [400, 401, 403, 404, 413, 422]) {
      expect(classifyWriteError(http(s), 0)).toMatchObject({ kind: 'rejected', retriable: false, status: s });
    }
    expect(classifyWriteError(new RequestTimedOutError(), 0)).toMatchObject({
      kind: 'timeout',
      retriable: true,
    });
    expect(classifyWriteError(new Error('aborted'), 0, true)).toMatchObject({ kind: 'timeout' });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(classifyWriteError(refused, 0)).toEqual({
      kind: 'network',
      retriable: true,
      message: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1',
    });
  });

  it("carries the server's own message for 1.x and 2.x error bodies", () => {
    expect(
      classifyWriteError(http(400, '{"error":"unable to parse \'x\': missing fields"}'), 0).message,
    ).toBe("HTTP 400: unable to parse 'x': missing fields");
    expect(serverMessage('{"code":"invalid","message":"field type conflict"}')).toBe('field type conflict');
    expect(serverMessage('plain words')).toBe('plain words');
    expect(serverMessage('')).toBe('(empty body)');
    expect(serverMessage('x'.repeat(600))).toContain('(100 more chars)');
  });

  it('reads Retry-After as seconds or an HTTP date, bounded', () => {
    expect(classifyWriteError(http(429, '', { 'retry-after': '2' }), 0).retryAfterMs).toBe(2000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4_000)).toBe(6_000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 20_000)).toBe(0);
    expect(parseRetryAfter(['3'], 0)).toBe(3000);
    expect(parseRetryAfter('99999', 0)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });

  it('backs off exponentially up to the cap, with half the delay jittered', () => {
    const at = (f: number, r: number) => backoffDelayMs(f, 100, 1000, () => r);
    expect([1, 2, 3, 4, 5].map((f) => at(f, 0))).toEqual([50, 100, 200, 400, 500]);
    expect([1, 2, 3, 4, 5].map((f) => at(f, 1))).toEqual([100, 200, 400, 800, 1000]);
    expect(at(1000, 0.5)).toBe(750);
  });
});
