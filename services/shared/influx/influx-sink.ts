import type { Point } from '@influxdata/influxdb-client';
import { Registry } from 'prom-client';
import type { InfluxConfig } from '../config/influx-config.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { createInfluxClient, type InfluxConnection } from './influx-client.js';
import { DROP_REASONS, type DropReason, InfluxSinkMetrics } from './influx-sink-metrics.js';
import { countBatchBefore, LineBuffer, type TakenBatch } from './line-buffer.js';
import { type Fields, pointToLine, type Tags, toLine } from './line-protocol.js';
import {
  backoffDelayMs,
  classifyWriteError,
  WRITE_ERROR_KINDS,
  type WriteErrorKind,
  type WriteFailure,
} from './write-failure.js';

export interface InfluxSinkOptions {
  config: InfluxConfig;
  /** Where the risk_influx_* series go; a private registry when absent. */
  registry?: Registry;
  logger?: Logger;
  /** Jitter source in [0, 1); injectable so tests can pin the backoff. */
  random?: () => number;
  /** Overrides the client built from `config` (tests, or a caller that already has one). */
  connection?: InfluxConnection;
}

export interface FlushResult {
  /** Lines written before flush() was called that were neither delivered nor dropped by its deadline. */
  pendingLines: number;
}

export interface CloseResult {
  /** Lines given up at close (counted as dropped{reason="shutdown"}). */
  undeliveredLines: number;
}

export interface InfluxSinkStats {
  writtenLines: number;
  bufferedLines: number;
  retries: number;
  consecutiveFailures: number;
  available: boolean;
  droppedLines: Record<DropReason, number>;
  writeErrors: Record<WriteErrorKind, number>;
}

/** Bodies above this are gzipped (the library's default threshold; InfluxDB 1.x and 2.x accept gzip). */
const GZIP_THRESHOLD = 1000;
/** An overflow episode is logged at its first drop, then at most this often with the count since. */
const OVERFLOW_LOG_EVERY_MS = 10_000;

const zeroes = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/**
 * Writes points to InfluxDB (1.x or 2.x/3.x API) in batches, through a bounded buffer of our own.
 *
 * Why our own buffer instead of the library's WriteApi retry buffer: WriteApi gives up on lines after
 * `maxRetries` / `maxRetryTime` (3 min) and keeps sending new batches concurrently while the server is
 * down. We want lines held for as long as the buffer has room and delivered, in order, when InfluxDB
 * comes back; the only losses are counted ones (overflow drops the oldest, 4xx rejections, close).
 * From the library we use its HTTP Transport (timeouts, gzip, keep-alive, HttpError with status,
 * body and headers) and Point (escaping).
 *
 * One request is in flight at a time: the failed batch goes back to the front of the buffer, the sink
 * waits (exponential backoff, equal jitter, Retry-After honoured) and tries again; meanwhile new
 * lines queue behind it. `write*` never blocks or throws for data problems.
 */
export class InfluxSink {
  private readonly cfg: InfluxConfig;
  private readonly conn: InfluxConnection;
  private readonly log: Logger;
  private readonly metrics: InfluxSinkMetrics;
  private readonly untrack: () => void;
  private readonly random: () => number;
  private readonly buffer = new LineBuffer();
  private readonly interval: NodeJS.Timeout;
  private readonly waiters = new Set<{ target: number; resolve: () => void }>();
  private readonly counts: Omit<InfluxSinkStats, 'bufferedLines' | 'consecutiveFailures' | 'available'> = {
    writtenLines: 0,
    retries: 0,
    droppedLines: zeroes(DROP_REASONS),
    writeErrors: zeroes(WRITE_ERROR_KINDS),
  };

  private inflight: TakenBatch | undefined;
  private request: AbortController | undefined;
  private pumping: Promise<void> | undefined;
  /** Lines with a sequence number below this are sent without waiting for a full batch. */
  private drainTo = 0;
  private failures = 0;
  private failingSince = 0;
  private wake: (() => void) | undefined;
  private state: 'open' | 'closing' | 'closed' = 'open';
  private stopped = false;
  private closing: Promise<CloseResult> | undefined;
  private overflowUnlogged = 0;
  private overflowLoggedAt = Number.NEGATIVE_INFINITY;
  private lateWritesLogged = false;

  constructor(options: InfluxSinkOptions) {
    this.cfg = options.config;
    this.conn = options.connection ?? createInfluxClient(options.config);
    this.log = options.logger ?? createLogger('influx-sink');
    this.random = options.random ?? Math.random;
    this.metrics = InfluxSinkMetrics.for(options.registry ?? new Registry());
    this.untrack = this.metrics.track(this);
    this.interval = setInterval(() => this.onTick(), this.cfg.flushIntervalMs);
    this.interval.unref();
  }

  /** Lines waiting, including a batch in flight. */
  get bufferedLines(): number {
    return this.buffer.length + (this.inflight?.lines.length ?? 0);
  }

  /** False once `maxRetries` consecutive attempts failed, until one succeeds. */
  get available(): boolean {
    return this.failures <= this.cfg.maxRetries;
  }

  /** Where the sink writes, without credentials. */
  get target(): string {
    return this.conn.describe;
  }

  /** One point: `number` fields are floats, `bigint` integers; timestamp in epoch ms. */
  write(measurement: string, tags: Tags, fields: Fields, timestampMs: number): void {
    const r = toLine(measurement, tags, fields, timestampMs);
    if (r.ok) this.enqueue([r.line]);
    else this.dropInvalid(r.reason);
  }

  /**
   * A Point of the client library (a number timestamp is taken as epoch ms), or the same arguments
   * as `write` (so the sink is a scorer `PointWriter`).
   */
  writePoint(point: Point): void;
  writePoint(measurement: string, tags: Tags, fields: Fields, timestampMs: number): void;
  writePoint(pointOrMeasurement: Point | string, tags?: Tags, fields?: Fields, timestampMs?: number): void {
    if (typeof pointOrMeasurement === 'string') {
      this.write(pointOrMeasurement, tags ?? {}, fields ?? {}, timestampMs ?? Number.NaN);
      return;
    }
    const line = pointToLine(pointOrMeasurement);
    if (line !== undefined) this.enqueue([line]);
    else this.dropInvalid(`point has no measurement name or no fields: ${String(pointOrMeasurement)}`);
  }

  /** Preformatted line protocol at ms precision, one line per element (embedded newlines split). */
  writeLines(lines: Iterable<string>): void {
    const out: string[] = [];
    for (const l of lines) {
      for (const part of l.split('\n')) if (part.trim() !== '') out.push(part);
    }
    this.enqueue(out);
  }

  /**
   * Sends everything written so far without waiting for a full batch, and resolves once those lines
   * are delivered or dropped, or at the deadline. Lines still pending then stay buffered.
   */
  async flush(timeoutMs: number = this.cfg.closeTimeoutMs): Promise<FlushResult> {
    const target = this.buffer.nextSeq;
    this.drainTo = Math.max(this.drainTo, target);
    this.kick();
    if (this.pendingBefore(target) > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        const waiter = { target, resolve };
        this.waiters.add(waiter);
        timer = setTimeout(() => {
          this.waiters.delete(waiter);
          resolve();
        }, timeoutMs);
      });
      clearTimeout(timer);
    }
    return { pendingLines: this.pendingBefore(target) };
  }

  /**
   * Flushes with a deadline, then stops: what is still undelivered is dropped, counted
   * (dropped{reason="shutdown"}), logged and returned. Idempotent; later writes are dropped the same way.
   */
  close(timeoutMs: number = this.cfg.closeTimeoutMs): Promise<CloseResult> {
    this.closing ??= this.doClose(timeoutMs);
    return this.closing;
  }

  /** True when the server answers /ping (both API versions have it). */
  async ping(timeoutMs: number = this.cfg.timeoutMs): Promise<boolean> {
    try {
      await this.conn.client.transport.request('/ping', '', {
        method: 'GET',
        signal: AbortSignal.timeout(timeoutMs),
      });
      return true;
    } catch {
      return false;
    }
  }

  stats(): InfluxSinkStats {
    return {
      ...this.counts,
      droppedLines: { ...this.counts.droppedLines },
      writeErrors: { ...this.counts.writeErrors },
      bufferedLines: this.bufferedLines,
      consecutiveFailures: this.failures,
      available: this.available,
    };
  }

  private async doClose(timeoutMs: number): Promise<CloseResult> {
    this.state = 'closing';
    clearInterval(this.interval);
    // Try once more right away instead of sitting out the current backoff.
    this.wake?.();
    await this.flush(timeoutMs);
    this.state = 'closed';
    this.stopped = true;
    this.request?.abort();
    this.wake?.();
    await this.pumping;
    const undelivered = this.buffer.dropOldest(this.buffer.length);
    if (undelivered > 0) {
      this.countDrop('shutdown', undelivered);
      this.log.error(
        { undeliveredLines: undelivered, target: this.target, lastFailures: this.failures },
        `InfluxDB sink closed with ${undelivered} lines undelivered (deadline ${timeoutMs} ms)`,
      );
    }
    this.logOverflow(true);
    this.settle();
    this.untrack();
    return { undeliveredLines: undelivered };
  }

  private enqueue(lines: readonly string[]): void {
    if (lines.length === 0) return;
    if (this.state !== 'open') {
      this.countDrop('shutdown', lines.length);
      if (!this.lateWritesLogged) {
        this.lateWritesLogged = true;
        this.log.warn(
          { lines: lines.length },
          'InfluxDB sink is closing: dropping lines written after close()',
        );
      }
      return;
    }
    for (const l of lines) this.buffer.push(l);
    this.enforceBound();
    if (this.buffer.length >= this.cfg.batchSize) this.kick();
  }

  private enforceBound(): void {
    const excess = this.buffer.length - this.cfg.maxBufferLines;
    if (excess <= 0) return;
    const dropped = this.buffer.dropOldest(excess);
    this.countDrop('overflow', dropped);
    this.overflowUnlogged += dropped;
    this.logOverflow(false);
    this.settle();
  }

  private logOverflow(force: boolean): void {
    if (this.overflowUnlogged === 0) return;
    const now = Date.now();
    if (!force && now - this.overflowLoggedAt < OVERFLOW_LOG_EVERY_MS) return;
    this.log.warn(
      {
        droppedLines: this.overflowUnlogged,
        droppedTotal: this.counts.droppedLines.overflow,
        bufferedLines: this.bufferedLines,
        maxBufferLines: this.cfg.maxBufferLines,
        target: this.target,
      },
      `InfluxDB sink buffer full: dropped the ${this.overflowUnlogged} oldest lines`,
    );
    this.overflowUnlogged = 0;
    this.overflowLoggedAt = now;
  }

  private dropInvalid(reason: string): void {
    this.countDrop('invalid', 1);
    this.log.warn({ reason }, `InfluxDB sink: point not written: ${reason}`);
  }

  private countDrop(reason: DropReason, n: number): void {
    this.counts.droppedLines[reason] += n;
    this.metrics.droppedLines.inc({ reason }, n);
  }

  private onTick(): void {
    this.logOverflow(false);
    this.drainTo = Math.max(this.drainTo, this.buffer.nextSeq);
    this.kick();
  }

  private hasWork(): boolean {
    const n = this.buffer.length;
    return n > 0 && (n >= this.cfg.batchSize || this.buffer.firstSeq < this.drainTo);
  }

  private kick(): void {
    if (this.pumping || this.stopped || !this.hasWork()) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      this.settle();
      this.kick();
    });
  }

  private async pump(): Promise<void> {
    while (!this.stopped && this.hasWork()) {
      const batch = this.buffer.take(this.cfg.batchSize);
      this.inflight = batch;
      if (this.failures > 0) {
        this.counts.retries++;
        this.metrics.retries.inc();
      }
      const failure = await this.send(batch.lines);
      this.inflight = undefined;
      if (failure === undefined) {
        this.onDelivered(batch);
      } else if (failure === 'aborted') {
        this.buffer.requeueFront(batch);
        return;
      } else if (!failure.retriable) {
        this.onRejected(batch, failure);
      } else {
        this.buffer.requeueFront(batch);
        this.enforceBound();
        this.settle();
        await this.sleep(this.onRetriableFailure(failure));
      }
      this.settle();
    }
  }

  /** Undefined on success; 'aborted' when close() cut the request off. */
  private async send(lines: readonly string[]): Promise<WriteFailure | 'aborted' | undefined> {
    const request = new AbortController();
    this.request = request;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      request.abort();
    }, this.cfg.timeoutMs);
    const started = performance.now();
    try {
      await this.conn.client.transport.request(this.conn.writePath, lines.join('\n'), {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        gzipThreshold: GZIP_THRESHOLD,
        signal: request.signal,
      });
      this.metrics.writeDuration.observe({ outcome: 'success' }, (performance.now() - started) / 1000);
      return undefined;
    } catch (err) {
      this.metrics.writeDuration.observe({ outcome: 'failure' }, (performance.now() - started) / 1000);
      if (request.signal.aborted && !timedOut) return 'aborted';
      const failure = classifyWriteError(err, Date.now(), timedOut);
      this.counts.writeErrors[failure.kind]++;
      this.metrics.writeErrors.inc({ kind: failure.kind });
      return failure;
    } finally {
      clearTimeout(timer);
      this.request = undefined;
    }
  }

  private onDelivered(batch: TakenBatch): void {
    const n = batch.lines.length;
    this.counts.writtenLines += n;
    this.metrics.linesWritten.inc(n);
    this.recovered();
  }

  private onRejected(batch: TakenBatch, failure: WriteFailure): void {
    // The server answered, so it is reachable; the batch itself is what it refused.
    this.recovered();
    const n = batch.lines.length;
    this.countDrop('rejected', n);
    const first = batch.lines[0] ?? '';
    this.log.error(
      {
        status: failure.status,
        serverMessage: failure.message,
        lines: n,
        firstLine: first.length > 300 ? `${first.slice(0, 300)}…` : first,
        target: this.target,
      },
      `InfluxDB rejected a write of ${n} lines (not retried): ${failure.message}`,
    );
  }

  private recovered(): void {
    if (this.failures === 0) return;
    this.log.warn(
      {
        failedAttempts: this.failures,
        outageSeconds: Math.round((Date.now() - this.failingSince) / 100) / 10,
        bufferedLines: this.bufferedLines,
        target: this.target,
      },
      `InfluxDB reachable again after ${this.failures} failed attempts`,
    );
    this.failures = 0;
  }

  /** Counts and logs a retriable failure; returns how long to wait before the next attempt. */
  private onRetriableFailure(failure: WriteFailure): number {
    this.failures++;
    if (this.failures === 1) this.failingSince = Date.now();
    const backoff = backoffDelayMs(this.failures, this.cfg.retryBaseMs, this.cfg.retryMaxMs, this.random);
    const delayMs = Math.max(backoff, failure.retryAfterMs ?? 0);
    const context = {
      kind: failure.kind,
      status: failure.status,
      error: failure.message,
      attempt: this.failures,
      retryInMs: delayMs,
      bufferedLines: this.bufferedLines,
      target: this.target,
    };
    if (this.failures === this.cfg.maxRetries + 1) {
      this.log.error(
        context,
        `InfluxDB unavailable: ${this.failures} consecutive write attempts failed (${failure.message}); ` +
          `holding up to ${this.cfg.maxBufferLines} lines and retrying every ~${this.cfg.retryMaxMs} ms`,
      );
    } else if (this.failures === 1) {
      this.log.warn(context, `InfluxDB write failed (${failure.message}); retrying in ${delayMs} ms`);
    } else {
      this.log.debug(context, 'InfluxDB write failed again');
    }
    return delayMs;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wake = done;
    });
  }

  private pendingBefore(seq: number): number {
    return this.buffer.countBefore(seq) + (this.inflight ? countBatchBefore(this.inflight, seq) : 0);
  }

  private settle(): void {
    for (const w of this.waiters) {
      if (this.stopped || this.pendingBefore(w.target) === 0) {
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }
}
