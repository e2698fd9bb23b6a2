import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it, vi } from 'vitest';
import type { DeadLetters } from '../../../services/shared/bus/dead-letter.js';
import type { InboundRecord } from '../../../services/shared/bus/transport.js';
import type { Codec } from '../../../services/shared/codec/codec.js';
import { CodecError } from '../../../services/shared/codec/codec-error.js';
import { createCodec } from '../../../services/shared/codec/create-codec.js';
import { decodeFeatures } from '../../../services/windowing/decode-features.js';
import { markMacroBootstrap } from '../../../services/windowing/macro-bootstrap.js';
import { RunningStatsFile } from '../../../services/windowing/running-stats-file.js';
import type { FeatureEvent, SourceEvent } from '../../../services/windowing/windowing-events.js';
import { WindowingMetrics } from '../../../services/windowing/windowing-metrics.js';
import { makeBar, makeMacro, makeSentiment } from './windowing-fixtures.js';

const topics = { market: 'fm', sentiment: 'fs', macro: 'fx' };
const codec = await createCodec();

function rec(topic: string, value: Buffer | null, key: string | null = null, partition = 0, offset = 0) {
  const ack = vi.fn();
  const record: InboundRecord = {
    topic,
    partition,
    offset,
    key: key === null ? null : Buffer.from(key),
    value,
    timestamp: 0,
    ack,
  };
  return { record, ack };
}
const ev = (record: InboundRecord, scope: 'group' | 'global' = 'group', replay = false): SourceEvent => ({
  kind: 'record',
  record,
  scope,
  replay,
});

function harness(options: { codec?: Codec; dlq?: DeadLetters } = {}) {
  const writes: { code: string; message: string; offset: number }[] = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const dlq: DeadLetters = options.dlq ?? {
    write: async (r, code, message) => {
      writes.push({ code, message, offset: r.offset });
      await gate;
    },
  };
  const skipped: string[] = [];
  const metrics = new WindowingMetrics();
  const input = new Subject<SourceEvent>();
  const out: FeatureEvent[] = [];
  input
    .pipe(
      decodeFeatures({
        codec: options.codec ?? codec,
        topics,
        deadLetters: dlq,
        metrics,
        onSkipped: (_r, code) => skipped.push(code),
      }),
    )
    .subscribe({
      next: (e) => out.push(e),
      error: (e) => out.push({ kind: 'macro-tombstone', key: String(e), ack: () => {} }),
    });
  return { input, out, writes, release, skipped, metrics };
}

describe('decodeFeatures', () => {
  it('turns feature records into typed events carrying their acks and partitions', () => {
    const h = harness();
    const bar = rec(topics.market, codec.encode('MarketBar', makeBar('A', 100)), 'A', 3);
    const sent = rec(topics.sentiment, codec.encode('SentimentFeature', makeSentiment('A', 90, 0.2)), 'A', 3);
    const mac = rec(topics.macro, codec.encode('MacroFeature', makeMacro('VIX', 50, 1)), 'VIX|49');
    for (const r of [bar, sent, mac]) h.input.next(ev(r.record, r === mac ? 'global' : 'group'));
    expect(h.out.map((e) => e.kind)).toEqual(['bar', 'sentiment', 'macro']);
    const b = h.out[0] as Extract<FeatureEvent, { kind: 'bar' }>;
    expect(b.bar.barEnd).toBe(100);
    expect(b.partition).toBe(3);
    b.ack();
    expect(bar.ack).toHaveBeenCalledTimes(1);
    expect(h.metrics.stats.barsIn).toBe(1);
  });

  it('dead-letters undecodable and nonsensical records with a stable code, acking only after the write', async () => {
    const h = harness();
    const garbage = rec(topics.market, Buffer.from([1, 2, 3]), 'A', 0, 7);
    const backwards = rec(
      topics.market,
      codec.encode('MarketBar', makeBar('A', 100, { barStart: 100 })),
      'A',
      0,
      8,
    );
    const empty = rec(topics.sentiment, null, 'A', 0, 9);
    const stray = rec('other-topic', Buffer.from('x'), null, 0, 10);
    for (const r of [garbage, backwards, empty, stray]) h.input.next(ev(r.record));
    expect(h.out).toHaveLength(0);
    expect(h.writes.map((w) => [w.offset, w.code])).toEqual([
      [7, expect.stringMatching(/^(bad_magic|undecodable)$/)],
      [8, 'invalid_feature'],
      [9, 'empty_value'],
      [10, 'unknown_topic'],
    ]);
    expect(h.writes[1]?.message).toContain('expected barStart < barEnd, got 100 .. 100');
    expect(garbage.ack).not.toHaveBeenCalled();
    h.release();
    await new Promise((r) => setTimeout(r, 0));
    for (const r of [garbage, backwards, empty, stray]) expect(r.ack).toHaveBeenCalledTimes(1);
    expect(h.metrics.stats.deadLetters).toBe(4);
  });

  it('only skips (never dead-letters) bad records that are replays or come from a global reader', () => {
    const h = harness();
    const replay = rec(topics.market, Buffer.from([9]), 'A');
    const global = rec(topics.macro, Buffer.from([9]), 'VIX|1');
    h.input.next(ev(replay.record, 'group', true));
    h.input.next(ev(global.record, 'global'));
    expect(h.writes).toHaveLength(0);
    expect(h.skipped).toHaveLength(2);
    expect(replay.ack).toHaveBeenCalled();
  });

  it('routes market-wide sentiment to the global reader only; macro tombstones become deletions', () => {
    const h = harness();
    const wide = codec.encode('SentimentFeature', makeSentiment('*', 10, 0.3));
    const own = codec.encode('SentimentFeature', makeSentiment('A', 10, 0.3));
    const onGroup = rec(topics.sentiment, wide, '*');
    const onGlobal = rec(topics.sentiment, wide, '*');
    const symbolOnGlobal = rec(topics.sentiment, own, 'A');
    const tomb = rec(topics.macro, null, 'VIX|49');
    h.input.next(ev(onGroup.record));
    h.input.next(ev(onGlobal.record, 'global'));
    h.input.next(ev(symbolOnGlobal.record, 'global'));
    h.input.next(ev(tomb.record, 'global'));
    expect(h.out.map((e) => (e.kind === 'sentiment' ? `s:${e.partition}` : e.kind))).toEqual([
      's:global',
      'macro-tombstone',
    ]);
    expect(onGroup.ack).toHaveBeenCalled();
    expect(symbolOnGlobal.ack).toHaveBeenCalled();
  });

  it('waits for the codec to learn an unknown writer schema, keeping later records behind it', async () => {
    let known = false;
    let learnt: () => void = () => {};
    const learning = new Codec_({
      decode: (name, bytes) => {
        if (!known && bytes[0] === 0xff) throw new CodecError('unknown_schema_id', 'schema id 42 not known');
        return codec.decode(name, bytes[0] === 0xff ? bytes.subarray(1) : bytes);
      },
      learn: () =>
        new Promise<void>((r) => {
          learnt = () => {
            known = true;
            r();
          };
        }),
    });
    const h = harness({ codec: learning });
    const first = rec(
      topics.market,
      Buffer.concat([Buffer.from([0xff]), codec.encode('MarketBar', makeBar('A', 1))]),
    );
    const second = rec(topics.market, codec.encode('MarketBar', makeBar('A', 2)));
    h.input.next(ev(first.record));
    h.input.next(ev(second.record));
    h.input.next({ kind: 'revoked', market: [1], sentiment: [1] });
    expect(h.out).toHaveLength(0);
    learnt();
    await new Promise((r) => setTimeout(r, 0));
    expect(h.out.map((e) => (e.kind === 'bar' ? e.bar.barEnd : e.kind))).toEqual([1, 2, 'revoked']);
  });
});

/** A codec with overridable decode/learn, encode from the real one. */
class Codec_ implements Codec {
  readonly format = 'single-object' as const;
  constructor(private readonly o: { decode: Codec['decode']; learn: Codec['learn'] }) {}
  encode: Codec['encode'] = (name, value) => codec.encode(name, value);
  decode: Codec['decode'] = (name, bytes) => this.o.decode(name, bytes);
  learn: Codec['learn'] = (bytes) => this.o.learn(bytes);
}

describe('markMacroBootstrap (marbles)', () => {
  const r = (partition: number, offset: number) => rec(topics.macro, null, 'k', partition, offset).record;

  it('marks the table bootstrapped once every partition reached its high watermark', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    ts.run(({ cold, expectObservable }) => {
      const [a, b, c] = [r(0, 0), r(1, 0), r(0, 1)];
      const src = cold<InboundRecord>('a b c', { a, b, c });
      const out = src.pipe(
        markMacroBootstrap(
          [
            { partition: 0, low: 0, high: 2 },
            { partition: 1, low: 0, high: 1 },
            { partition: 2, low: 5, high: 5 },
          ],
          1_000,
          ts,
        ),
      );
      expectObservable(out).toBe('a b (ck)', {
        a: { kind: 'record', record: a, scope: 'global', replay: false },
        b: { kind: 'record', record: b, scope: 'global', replay: false },
        c: { kind: 'record', record: c, scope: 'global', replay: false },
        k: { kind: 'macro-bootstrapped', timedOut: false },
      });
    });
  });

  it('is bootstrapped at once for an empty topic, and after the timeout when stuck', () => {
    const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold<InboundRecord>('-').pipe(markMacroBootstrap([], 10, ts))).toBe('k', {
        k: { kind: 'macro-bootstrapped', timedOut: false },
      });
      expectObservable(
        cold<InboundRecord>('-').pipe(markMacroBootstrap([{ partition: 0, low: 0, high: 3 }], 10, ts)),
      ).toBe('10ms k', { k: { kind: 'macro-bootstrapped', timedOut: true } });
    });
  });
});

describe('RunningStatsFile', () => {
  it('round-trips a snapshot, has none at first, and names the file when it is garbage', () => {
    const dir = mkdtempSync(join(tmpdir(), 'win-'));
    const file = new RunningStatsFile(join(dir, 'nested'));
    expect(file.load()).toBeUndefined();
    const m = { names: ['a'], n: [2], mean: [1], m2: [0.5] };
    file.save({ version: 1, market: m, macro: m, sentiment: m });
    expect(file.load()?.macro).toEqual(m);
    writeFileSync(file.path, '{"version": 2}');
    expect(() => file.load()).toThrow(/running-stats.json: expected \{version: 1/);
  });
});
