/**
 * Avro (the project's single-object codec) encode+decode of a MarketTick vs JSON.stringify+parse
 * of the same object, records/s. The two contenders alternate within every run so machine noise
 * hits both alike. Run: npx tsx bench/codec-bench.ts
 */
import { createCodec } from '../services/shared/codec/create-codec.js';
import type { MarketTick } from '../services/shared/contracts/records.js';
import { sampleRecords } from '../test/fixtures/sample-records.js';
import { figure } from './bench-stats.js';
import { benchRuns, figureMain, progress } from './figure-main.js';

const N = 200_000;

await figureMain('codec', async () => {
  const codec = await createCodec();
  const ticks: MarketTick[] = Array.from({ length: 1024 }, (_, i) => ({
    ...sampleRecords.MarketTick,
    sequence: i,
    last: 100 + Math.sin(i),
  }));
  let sink = 0;
  const avro = () => {
    const t = performance.now();
    for (let i = 0; i < N; i++)
      sink += codec.decode('MarketTick', codec.encode('MarketTick', ticks[i & 1023] as MarketTick)).sequence;
    return N / ((performance.now() - t) / 1000);
  };
  const json = () => {
    const t = performance.now();
    for (let i = 0; i < N; i++) sink += (JSON.parse(JSON.stringify(ticks[i & 1023])) as MarketTick).sequence;
    return N / ((performance.now() - t) / 1000);
  };
  avro();
  json();
  const a: number[] = [];
  const j: number[] = [];
  for (let r = 0; r < benchRuns(); r++) {
    a.push(avro());
    j.push(json());
    progress('codec', `run ${r + 1}`, {
      avroRecPerSec: Math.round(a[r] as number),
      jsonRecPerSec: Math.round(j[r] as number),
    });
  }
  if (sink === -1) console.log(sink);
  return {
    figure: figure({ avroRecPerSec: a, jsonRecPerSec: j }),
    notes: [`${N} records per run, single-object Avro (CRC-64 header)`],
  };
});
