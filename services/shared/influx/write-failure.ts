import { HttpError, RequestTimedOutError } from '@influxdata/influxdb-client';

/** Bounded label values of `risk_influx_write_errors_total{kind}`. */
export const WRITE_ERROR_KINDS = ['network', 'timeout', 'server_error', 'throttled', 'rejected'] as const;
export type WriteErrorKind = (typeof WRITE_ERROR_KINDS)[number];

export interface WriteFailure {
  kind: WriteErrorKind;
  /** Network errors, timeouts, 5xx and 429 are worth retrying; other answers will not change. */
  retriable: boolean;
  status?: number;
  /** What the server said (its JSON `error`/`message`, else the body), or the client-side error. */
  message: string;
  /** From a Retry-After header, when the server sent one. */
  retryAfterMs?: number;
}

/** Retry-After beyond this is treated as this: a bad date must not park the sink for days. */
export const MAX_RETRY_AFTER_MS = 300_000;

/**
 * Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). The client library parses
 * only the digits form and keeps the number as it came, so we read the header ourselves.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - nowMs;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/** InfluxDB 1.x answers `{"error": ...}`, 2.x/3.x `{"code": ..., "message": ...}`; anything else as text. */
export function serverMessage(body: string | undefined): string {
  const text = (body ?? '').trim();
  if (text === '') return '(empty body)';
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) {
      const o = parsed as Record<string, unknown>;
      const msg = o.error ?? o.message;
      if (typeof msg === 'string' && msg !== '') return truncate(msg);
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return truncate(text);
}

function truncate(s: string, max = 500): string {
  return s.length > max ? `${s.slice(0, max)}…(${s.length - max} more chars)` : s;
}

/** Sorts an error from the client's transport into a kind and a retry decision. */
export function classifyWriteError(err: unknown, nowMs: number, timedOut = false): WriteFailure {
  if (err instanceof HttpError) {
    const status = err.statusCode;
    const message = `HTTP ${status}: ${serverMessage(err.body)}`;
    if (status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(err.headers?.['retry-after'], nowMs);
      return {
        kind: status === 429 ? 'throttled' : 'server_error',
        retriable: true,
        status,
        message,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      };
    }
    return { kind: 'rejected', retriable: false, status, message };
  }
  if (timedOut || err instanceof RequestTimedOutError) {
    return { kind: 'timeout', retriable: true, message: 'request timed out' };
  }
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? `${e.code}: ` : '';
  const text = typeof e?.message === 'string' && e.message !== '' ? e.message : String(err);
  // Anything that is not an HTTP answer (refused, reset, DNS, TLS...) may go away by itself.
  return { kind: 'network', retriable: true, message: `${code}${text}` };
}

/**
 * Exponential backoff with "equal jitter": half the capped exponential delay is fixed, half random,
 * so clients that failed together spread out without any of them retrying immediately.
 * `failures` counts consecutive failures, 1 for the first.
 */
export function backoffDelayMs(
  failures: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.round(exp / 2 + random() * (exp / 2));
}
