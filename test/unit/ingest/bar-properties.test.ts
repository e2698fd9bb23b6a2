import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tickFeed } from '../../../services/ingest/ticks/tick-feed.js';
import { loadConfig } from '../../../services/shared/config/load-config.js';
import type { MarketBar, MarketTick } from '../../../services/shared/contracts/records.js';
import { codec, inbound, NOW, type TestRecord } from './ingest-fixtures.js';
import { runFeed } from './pipeline-harness.js';

const I = 1_000;
const OOO = 2_500;
const MAX_FILL = 3;
const LAMBDA = 0.94;
const VLAMBDA = 0.8;
const SLOW = 0.99;
const BASE = Date.UTC(2017, 0, 3, 15); // a Tuesday: no weekend inside the generated spans
const PARTITION: Record<string, number> = { A: 0, B: 0, C: 1 };

const config = loadConfig({
  env: {},
  overrides: {
    ingest: {
      barIntervalMs: I,
      maxOutOfOrdernessMs: OOO,
      maxFillBars: MAX_FILL,
      ewmaLambda: LAMBDA,
      slowEwmaLambda: SLOW,
      volumeEwmaLambda: VLAMBDA,
      volumeMinHistory: 2,
      fillSkipWeekends: false,
    },
  },
});
const feed = () => tickFeed(config, codec, () => NOW);

interface GenTick {
  symbol: string;
  offsetMs: number;
  jitter: number;
  last: number;
  lastSize: number;
  down: number;
  up: number;
  bidSize: number;
  askSize: number;
}

const genTick = fc.record({
  symbol: fc.constantFrom('A', 'B', 'C'),
  offsetMs: fc.integer({ min: 0, max: 30 * I }),
  jitter: fc.integer({ min: 0, max: OOO }),
  last: fc.double({ min: 10, max: 20, noNaN: true }),
  lastSize: fc.integer({ min: 0, max: 100 }),
  down: fc.double({ min: 0.001, max: 0.05, noNaN: true }),
  up: fc.double({ min: 0.001, max: 0.05, noNaN: true }),
  bidSize: fc.integer({ min: 0, max: 50 }),
  askSize: fc.integer({ min: 0, max: 50 }),
});

/**
 * Arrival order = event time + a jitter of at most the allowed out-of-orderness, so no tick is
 * ever later than the watermark allows. Returns ticks in arrival order with sequences and records.
 */
function arrive(gen: GenTick[]): { ticks: MarketTick[]; records: TestRecord[] } {
  const order = gen
    .map((g, i) => ({ g, i, key: g.offsetMs + g.jitter }))
    .sort((a, b) => a.key - b.key || a.i - b.i);
  const offsets = [0, 0];
  const ticks: MarketTick[] = [];
  const records: TestRecord[] = [];
  order.forEach(({ g }, seq) => {
    const t: MarketTick = {
      symbol: g.symbol,
      venue: 'TEST',
      eventTime: BASE + g.offsetMs,
      sequence: seq,
      bid: g.last - g.down,
      ask: g.last + g.up,
      last: g.last,
      bidSize: g.bidSize,
      askSize: g.askSize,
      lastSize: g.lastSize,
      volume: 0,
    };
    const p = PARTITION[g.symbol] as number;
    ticks.push(t);
    records.push(inbound(offsets[p]!++, codec.encode('MarketTick', t), { partition: p, key: g.symbol }));
  });
  return { ticks, records };
}

type RefBar = Omit<MarketBar, 'id' | 'firstOffset'>;

/** A straightforward second implementation: sort, group, aggregate, then run the features in bar order. */
function reference(ticks: MarketTick[]): RefBar[] {
  const out: RefBar[] = [];
  const maxByPartition = new Map<number, number>();
  for (const t of ticks) {
    const p = PARTITION[t.symbol] as number;
    maxByPartition.set(p, Math.max(maxByPartition.get(p) ?? -Infinity, t.eventTime));
  }
  for (const symbol of ['A', 'B', 'C']) {
    const mine = ticks
      .map((t, arrival) => ({ t, arrival }))
      .filter(({ t }) => t.symbol === symbol)
      .sort((a, b) => a.t.eventTime - b.t.eventTime || a.arrival - b.arrival)
      .map(({ t }) => t);
    if (mine.length === 0) continue;
    const groups = new Map<number, MarketTick[]>();
    for (const t of mine) {
      const start = Math.floor(t.eventTime / I) * I;
      groups.set(start, [...(groups.get(start) ?? []), t]);
    }
    const starts = [...groups.keys()].sort((a, b) => a - b);
    const finalWatermark = (maxByPartition.get(PARTITION[symbol] as number) as number) - OOO;
    const fillLimit = Math.floor(finalWatermark / I) * I;
    // Timeline: real bars, up to MAX_FILL fills after each, also after the last one up to the watermark.
    const timeline: { start: number; ticks?: MarketTick[] }[] = [];
    starts.forEach((start, k) => {
      timeline.push({ start, ticks: groups.get(start) as MarketTick[] });
      const next = starts[k + 1] ?? Math.max(start + I, fillLimit);
      for (let f = 1; f <= MAX_FILL && start + f * I < next; f++) timeline.push({ start: start + f * I });
    });
    let prevClose: number | undefined;
    let rv: number | undefined;
    let rs: number | undefined;
    let vm = 0;
    let vv = 0;
    let vn = 0;
    let lastSpread = 0;
    let lastImb = 0;
    for (const { start, ticks: bt } of timeline) {
      const z = (x: number) => (vn >= 2 && vv > 0 ? (x - vm) / Math.sqrt(vv) : 0);
      const ratio = () =>
        rv !== undefined && rs !== undefined && rv > 0 && rs > 0 ? 0.5 * Math.log(rv / rs) : 0;
      if (!bt) {
        const close = prevClose as number;
        if (rv !== undefined) rv *= LAMBDA;
        if (rs !== undefined) rs *= SLOW;
        out.push({
          symbol,
          barStart: start,
          barEnd: start + I,
          open: close,
          high: close,
          low: close,
          close,
          vwap: close,
          volume: 0,
          trades: 0,
          filled: true,
          logReturn: 0,
          hlRange: 0,
          ewmaVol: rv === undefined ? 0 : Math.sqrt(rv),
          spreadBps: lastSpread,
          imbalance: lastImb,
          volumeZ: z(0),
          volRatio: ratio(),
        });
        continue;
      }
      const prices = bt.map((t) => t.last);
      const volume = bt.reduce((s, t) => s + t.lastSize, 0);
      const close = prices[prices.length - 1] as number;
      const r = prevClose === undefined ? 0 : Math.log(close / prevClose);
      if (prevClose !== undefined) {
        rv = rv === undefined ? r * r : LAMBDA * rv + (1 - LAMBDA) * r * r;
        rs = rs === undefined ? r * r : SLOW * rs + (1 - SLOW) * r * r;
      }
      const x = Math.log(1 + volume);
      const volumeZ = z(x);
      if (vn === 0) vm = x;
      else {
        const d = x - vm;
        vm += (1 - VLAMBDA) * d;
        vv = VLAMBDA * (vv + (1 - VLAMBDA) * d * d);
      }
      vn++;
      const lastQ = bt[bt.length - 1] as MarketTick;
      lastSpread = bt.reduce((s, t) => s + ((t.ask - t.bid) / ((t.ask + t.bid) / 2)) * 1e4, 0) / bt.length;
      lastImb =
        lastQ.bidSize + lastQ.askSize > 0
          ? (lastQ.bidSize - lastQ.askSize) / (lastQ.bidSize + lastQ.askSize)
          : 0;
      const high = Math.max(...prices);
      const low = Math.min(...prices);
      out.push({
        symbol,
        barStart: start,
        barEnd: start + I,
        open: prices[0] as number,
        high,
        low,
        close,
        vwap: volume > 0 ? bt.reduce((s, t) => s + t.last * t.lastSize, 0) / volume : close,
        volume,
        trades: bt.length,
        filled: false,
        logReturn: r,
        hlRange: Math.log(high / low),
        ewmaVol: rv === undefined ? 0 : Math.sqrt(rv),
        spreadBps: lastSpread,
        imbalance: lastImb,
        volumeZ,
        volRatio: ratio(),
      });
      prevClose = close;
    }
  }
  return out;
}

const decodeBars = (values: (Buffer | null)[]) => values.map((v) => codec.decode('MarketBar', v as Buffer));
const sortBars = <B extends { symbol: string; barStart: number }>(bars: B[]) =>
  [...bars].sort((a, b) => a.symbol.localeCompare(b.symbol) || a.barStart - b.barStart);

function expectSameBar(actual: RefBar, expected: RefBar): void {
  for (const [k, v] of Object.entries(expected)) {
    const a = (actual as unknown as Record<string, unknown>)[k];
    if (typeof v === 'number') expect(a, `${actual.symbol}@${actual.barStart}.${k}`).toBeCloseTo(v, 9);
    else expect(a, `${actual.symbol}@${actual.barStart}.${k}`).toEqual(v);
  }
}

describe('bars (property)', () => {
  it('match a naive reference aggregation over random, boundedly out-of-order tick streams', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(genTick, { minLength: 1, maxLength: 120 }), async (gen) => {
        const { ticks, records } = arrive(gen);
        const result = await runFeed(feed(), records, { maxOutOfOrdernessMs: OOO });
        expect(result.deadLetters).toEqual([]);
        const bars = sortBars(decodeBars(result.produced.map((r) => r.value)));
        const expected = sortBars(reference(ticks));
        expect(bars.map((b) => `${b.symbol}@${b.barStart}:${b.filled}`)).toEqual(
          expected.map((b) => `${b.symbol}@${b.barStart}:${b.filled}`),
        );
        for (const [i, b] of bars.entries()) expectSameBar(b, expected[i] as RefBar);
        // Every tick went into exactly one bar, and every input was acked once.
        expect(bars.reduce((s, b) => s + b.trades, 0)).toBe(ticks.length);
        expect(records.every((r) => r.acks === 1)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('never let a tick after a bar end change that bar (no look-ahead)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(genTick, { minLength: 1, maxLength: 80 }),
        fc.array(genTick, { minLength: 0, maxLength: 80 }),
        fc.integer({ min: 1, max: 30 }),
        async (gen, replacement, cutBars) => {
          const cut = cutBars * I;
          const before = gen.filter((g) => g.offsetMs < cut);
          const after1 = gen.filter((g) => g.offsetMs >= cut);
          const after2 = replacement.map((g) => ({ ...g, offsetMs: cut + (g.offsetMs % (30 * I)) }));
          // firstOffset is a diagnostic of the input's offsets, which differ between the two streams.
          const run = async (g: GenTick[]) =>
            sortBars(
              decodeBars(
                (await runFeed(feed(), arrive(g).records, { maxOutOfOrdernessMs: OOO })).produced.map(
                  (r) => r.value,
                ),
              ),
            ).map((x) => ({ ...x, firstOffset: null }));
          const a = await run([...before, ...after1]);
          const b = await run([...before, ...after2]);
          const cutTime = BASE + cut;
          const realBefore = (bars: MarketBar[]) => bars.filter((x) => !x.filled && x.barEnd <= cutTime);
          expect(realBefore(a)).toEqual(realBefore(b));
          const byId = new Map(b.map((x) => [x.id, x]));
          for (const x of a) if (x.barEnd <= cutTime && byId.has(x.id)) expect(byId.get(x.id)).toEqual(x);
        },
      ),
      { numRuns: 40 },
    );
  });
});
