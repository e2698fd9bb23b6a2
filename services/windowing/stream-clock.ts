/**
 * How far one input stream (macro, market-wide sentiment, one sentiment partition) has got, for
 * deciding whether a bar may be joined yet. The watermark is the largest event time seen (records
 * of a stream arrive roughly in event-time order); a stream with no record for `idleMs` of wall
 * clock is idle: it has nothing more to say right now, so it holds nothing back.
 */
export class StreamClock {
  watermark = Number.NEGATIVE_INFINITY;

  /** Wall-clock ms of the last record; -Infinity when the stream is known to be caught up. */
  constructor(public lastArrival: number) {}

  advance(eventTime: number, now: number): void {
    if (eventTime > this.watermark) this.watermark = eventTime;
    this.lastArrival = now;
  }

  /** Read to its end (a bootstrapped global table): idle until a new record arrives. */
  caughtUp(): void {
    this.lastArrival = Number.NEGATIVE_INFINITY;
  }

  isIdle(now: number, idleMs: number): boolean {
    return now - this.lastArrival >= idleMs;
  }

  /**
   * True when the stream cannot (reasonably) still deliver something with event time <= t: it
   * has delivered something later than t (records at exactly t may still be on their way while
   * the watermark is t), or it is idle.
   */
  passes(t: number, now: number, idleMs: number): boolean {
    return this.watermark > t || this.isIdle(now, idleMs);
  }
}
