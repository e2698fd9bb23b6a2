/**
 * NAB rows/s of `risk-monitor detect` (the built CLI, wall clock including start-up and the online
 * LSTM fits) over a fixed subset of the NAB corpus, 2 files scored in parallel (-j 2). Kept at the
 * 2 small artificial files so the figure stays comparable across runs; process start-up (tfjs and
 * its wasm backend per worker, a few seconds) is a large share of it since the cpu engine, so the
 * full 21-file `risk-monitor nab` run (203k rows, ~3 min, docs/anomaly.md) is the better measure.
 * Run: npx tsx bench/detect-bench.ts [nabDir]
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { figure } from './bench-stats.js';
import { benchRuns, figureMain, progress } from './figure-main.js';

const run = promisify(execFile);
const NAB = process.argv[2] ?? process.env.BENCH_NAB_DIR ?? '/work/shared/data/anomaly/nab';
const FILES = [
  'artificialWithAnomaly/art_daily_jumpsup.csv',
  'artificialWithAnomaly/art_daily_flatmiddle.csv',
];
const CLI = join(import.meta.dirname, '..', 'dist', 'services', 'cli', 'bin.js');

await figureMain('detect', async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} missing: run npm run build (make bench does)`);
  const work = mkdtempSync(join(tmpdir(), 'detect-bench-'));
  try {
    const input = join(work, 'in');
    mkdirSync(input);
    let rows = 0;
    for (const f of FILES) {
      const src = join(NAB, f);
      copyFileSync(src, join(input, f.replaceAll('/', '_')));
      rows += readFileSync(src, 'utf8').trim().split('\n').length - 1;
    }
    const samples: number[] = [];
    for (let r = 0; r < benchRuns(2); r++) {
      const t = performance.now();
      await run('node', [CLI, 'detect', '-i', input, '-o', join(work, `out${r}`), '-j', '2'], {
        timeout: 600_000,
        maxBuffer: 16 << 20,
      });
      samples.push(rows / ((performance.now() - t) / 1000));
      progress('detect', `run ${r + 1}`, { rows, rowsPerSec: Math.round(samples[r] as number) });
    }
    return {
      figure: figure({ rowsPerSec: samples }),
      notes: [`risk-monitor detect -j 2 over ${FILES.join(', ')} (${rows} rows) from ${NAB}, wall clock`],
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
