/**
 * Compares two `detect` output trees (same relative paths), e.g. the cpu engine's against the
 * tfjs reference's: per file the rows whose written anomaly_score differs and the largest
 * absolute difference, then the totals. Not a figure of `make bench`.
 * Run: npx tsx bench/detect-output-diff.ts DIR_A DIR_B
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listCsvFiles } from '../services/nab/detect-jobs.js';

const [a, b] = process.argv.slice(2);
if (a === undefined || b === undefined) {
  throw new Error('usage: npx tsx bench/detect-output-diff.ts DIR_A DIR_B (two detect output directories)');
}

function scores(file: string): number[] {
  const lines = readFileSync(file, 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => Number(line.slice(line.lastIndexOf(',') + 1)));
}

let rows = 0;
let differing = 0;
let max = 0;
let where = '';
const above = { '1e-4': 0, '1e-3': 0, '1e-2': 0 };
for (const rel of listCsvFiles(a)) {
  const x = scores(join(a, rel));
  const y = scores(join(b, rel));
  if (x.length !== y.length) throw new Error(`${rel}: ${x.length} rows in ${a} but ${y.length} in ${b}`);
  let fileMax = 0;
  let fileDiffering = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs((x[i] as number) - (y[i] as number));
    if (d > 0) fileDiffering++;
    if (d > 1e-4) above['1e-4']++;
    if (d > 1e-3) above['1e-3']++;
    if (d > 1e-2) above['1e-2']++;
    if (d > max) {
      max = d;
      where = `${rel} row ${i + 1}`;
    }
    fileMax = Math.max(fileMax, d);
  }
  rows += x.length;
  differing += fileDiffering;
  console.log(`${rel}: ${x.length} rows, ${fileDiffering} differ, max |diff| ${fileMax.toExponential(2)}`);
}
console.log(
  `total: ${rows} rows, ${differing} differ; above 1e-4 / 1e-3 / 1e-2: ${above['1e-4']} / ${above['1e-3']} / ${above['1e-2']}; max |diff| ${max} (${where || 'none'})`,
);
