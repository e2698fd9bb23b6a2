import { describe, expect, it } from 'vitest';
import {
  runSimulateCommand,
  type SimulateDeps,
  type SimulateFlags,
} from '../../../services/cli/commands/simulate-command.js';
import { UsageError } from '../../../services/cli/usage-error.js';
import { EmbeddedBus } from '../../../services/shared/bus/embedded-bus.js';
import { SchemaCatalog } from '../../../services/shared/codec/schema-catalog.js';
import { SingleObjectCodec } from '../../../services/shared/codec/single-object-codec.js';
import type { MarketTick } from '../../../services/shared/contracts/records.js';
import { SYNTHETIC_FEATURES, syntheticJoinedBars } from '../../fixtures/synthetic-joined-bars.js';

const codec = new SingleObjectCodec(SchemaCatalog.load());
const TOPIC = 'market.ticks';

const flags = (over: Partial<SimulateFlags> = {}): SimulateFlags => ({
  scenario: 'stress',
  symbols: 'stress1,STRESS2',
  bars: '15',
  transport: 'embedded',
  seed: '7',
  seqLen: '6',
  ganSteps: '4',
  trainSymbols: 'AAA,BBB',
  prices: 'unused',
  macro: 'unused',
  start: '2030-01-02',
  speed: 'max',
  ...over,
});

function deps(bus: EmbeddedBus, loads: string[][]): SimulateDeps {
  return {
    loadHistory: async (o) => {
      loads.push([...(o.symbols ?? [])]);
      return {
        series: (o.symbols ?? []).map((symbol, i) => ({
          symbol,
          bars: syntheticJoinedBars(symbol, 120, i + 3),
        })),
        features: SYNTHETIC_FEATURES,
      };
    },
    openTransport: async () => ({ transport: bus, codec, drain: async () => null, close: async () => {} }),
    stdout: () => {},
    stderr: () => {},
    tty: false,
  };
}

async function published(bus: EmbeddedBus): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const { partition, high } of await bus.offsets(TOPIC)) {
    for (const r of await bus.read(TOPIC, partition, 0, high)) out.push(r.value as Buffer);
  }
  return out;
}

describe('risk-monitor simulate --scenario stress', () => {
  it('publishes 4 valid MarketTicks per bar and symbol, deterministically for a seed', async () => {
    const bus = new EmbeddedBus();
    const loads: string[][] = [];
    const summary = await runSimulateCommand(flags(), deps(bus, loads));
    expect(loads).toEqual([['AAA', 'BBB']]);
    expect(summary).toMatchObject({
      scenario: 'stress',
      topic: TOPIC,
      symbols: ['STRESS1', 'STRESS2'],
      produced: 120,
    });
    expect(summary.gan.steps).toBe(4);
    const values = await published(bus);
    expect(values).toHaveLength(2 * 15 * 4);
    const ticks = values.map((v) => codec.decode('MarketTick', v));
    const bySymbol = new Map<string, MarketTick[]>();
    for (const t of ticks) bySymbol.set(t.symbol, [...(bySymbol.get(t.symbol) ?? []), t]);
    expect([...bySymbol.keys()].sort()).toEqual(['STRESS1', 'STRESS2']);
    for (const list of bySymbol.values()) {
      expect(list).toHaveLength(60);
      list.sort((a, b) => a.sequence - b.sequence);
      for (let i = 1; i < list.length; i++) {
        expect(list[i]?.sequence).toBeGreaterThan(list[i - 1]?.sequence as number);
        expect(list[i]?.eventTime).toBeGreaterThan(list[i - 1]?.eventTime as number);
      }
      for (const t of list) {
        expect(t.venue).toBe('simulate');
        expect(Number.isFinite(t.last) && t.last > 0).toBe(true);
        expect(t.bid).toBeLessThan(t.ask);
        expect(t.bid).toBeLessThan(t.last);
        expect(t.last).toBeLessThan(t.ask);
        // No weekend days.
        expect([0, 6]).not.toContain(new Date(t.eventTime).getUTCDay());
      }
    }
    expect(new Date(Math.min(...ticks.map((t) => t.eventTime))).toISOString().slice(0, 10)).toBe(
      '2030-01-02',
    );

    const again = new EmbeddedBus();
    await runSimulateCommand(flags(), deps(again, []));
    expect((await published(again)).map((b) => b.toString('hex'))).toEqual(
      values.map((b) => b.toString('hex')),
    );
    const other = new EmbeddedBus();
    await runSimulateCommand(flags({ seed: '8' }), deps(other, []));
    expect((await published(other)).map((b) => b.toString('hex'))).not.toEqual(
      values.map((b) => b.toString('hex')),
    );
    await Promise.all([bus.close(), again.close(), other.close()]);
  });

  it.each([
    [{ scenario: 'calm' }, /--scenario: expected stress, got "calm"/],
    [{ bars: '0' }, /--bars: expected an integer >= 1, got "0"/],
    [{ bars: 'ten' }, /--bars: expected an integer >= 1, got "ten"/],
    [{ transport: 'mqtt' }, /--transport: expected embedded or kafka, got "mqtt"/],
    [{ symbols: ' , ' }, /--symbols: expected at least one symbol/],
    [{ symbols: 'A,a' }, /--symbols: expected distinct symbols/],
    [{ start: '2030-13-45' }, /--start: expected a date YYYY-MM-DD/],
    [{ seed: '-1' }, /--seed: expected an integer >= 0/],
    [{ speed: '0' }, /--speed: expected records per second > 0/],
  ] as const)('refuses %o at start, naming the flag', async (over, message) => {
    const loads: string[][] = [];
    const run = runSimulateCommand(flags(over), deps(new EmbeddedBus(), loads));
    await expect(run).rejects.toThrow(UsageError);
    await expect(runSimulateCommand(flags(over), deps(new EmbeddedBus(), loads))).rejects.toThrow(message);
    expect(loads).toEqual([]);
  });
});
