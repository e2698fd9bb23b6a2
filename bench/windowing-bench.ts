/**
 * Bars/s through the windowing stage into tensors, no model: decoded MarketBars through the as-of
 * join, per-symbol ring windows, normalisation and micro-batching into SequenceBatch
 * Float32Arrays, acked at once (the operators-only half of windowing-throughput.ts).
 * Run: npx tsx bench/windowing-bench.ts
 */
import { figure } from './bench-stats.js';
import { benchRuns, figureMain, progress } from './figure-main.js';
import { runOperatorsOnly } from './windowing-operators.js';

const nBars = 50_000;
const nSymbols = 500;
const operatorsOnly = () => runOperatorsOnly(nBars, nSymbols);

await figureMain('windowing', async () => {
  await operatorsOnly();
  const samples: number[] = [];
  for (let r = 0; r < benchRuns(); r++) {
    const res = await operatorsOnly();
    samples.push(res.barsPerSec);
    progress('windowing', `run ${r + 1}`, res);
  }
  return {
    figure: figure({ barsPerSec: samples }),
    notes: [`${nBars} bars over ${nSymbols} symbols per run, L=32, micro-batches of up to 256`],
  };
});
