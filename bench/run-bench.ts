/**
 * `make bench`: runs every figure in its own process (one after the other, so they never compete
 * for the 2 cores), then writes bench/results/latest.json, a dated copy and latest.md, and prints
 * a table. BENCH_ONLY=codec,inference runs a subset (the other keys stay null); BENCH_RUNS sets
 * the repetitions per figure. Run: npx tsx bench/run-bench.ts
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULT_PREFIX } from './figure-main.js';
import { machineInfo } from './machine-info.js';
import { renderMarkdown, renderTable } from './render-results.js';
import { evaluateTargets, fillMissing, invalidKeys } from './results-schema.js';

interface FigureJob {
  /** Dotted place in the results object. */
  key: string;
  file: string;
  args?: string[];
}

const JOBS: readonly FigureJob[] = [
  { key: 'codec', file: 'codec-bench.ts' },
  { key: 'windowing', file: 'windowing-bench.ts' },
  { key: 'inference', file: 'inference-bench.ts' },
  { key: 'endToEnd.embedded', file: 'end-to-end-bench.ts', args: ['embedded'] },
  { key: 'endToEnd.kafka', file: 'end-to-end-bench.ts', args: ['kafka'] },
  { key: 'kafkaClient', file: 'kafka-client-bench.ts' },
  { key: 'detect', file: 'detect-bench.ts' },
];

const ROOT = join(import.meta.dirname, '..');
const RESULTS = join(ROOT, 'bench', 'results');

function runFigure(job: FigureJob): Promise<{ figure: unknown; notes: string[]; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join('bench', job.file), ...(job.args ?? [])], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    child.on('close', (code) => {
      const seconds = Math.round((performance.now() - started) / 100) / 10;
      const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (code === 0 && line) {
        const parsed = JSON.parse(line.slice(RESULT_PREFIX.length)) as { figure: unknown; notes: string[] };
        resolve({ figure: parsed.figure, notes: parsed.notes, seconds });
        return;
      }
      resolve({
        figure: null,
        notes: [`${job.file} ${job.args?.join(' ') ?? ''} failed (exit ${code}); see the log above`],
        seconds,
      });
    });
  });
}

function place(root: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let at = root;
  for (const p of parts.slice(0, -1)) {
    if (typeof at[p] !== 'object' || at[p] === null) at[p] = {};
    at = at[p] as Record<string, unknown>;
  }
  at[parts[parts.length - 1] as string] = value;
}

const only = (process.env.BENCH_ONLY ?? '').split(',').filter((s) => s.length > 0);
const startedAt = new Date();
const results: Record<string, unknown> = {
  format: 'risk-monitor.bench',
  formatVersion: 1,
  startedAt: startedAt.toISOString(),
  machine: machineInfo(),
  command: 'make bench',
};
const notes: Record<string, string[]> = {};
const durations: Record<string, number> = {};
for (const job of JOBS) {
  if (only.length > 0 && !only.some((o) => job.key === o || job.key.startsWith(`${o}.`))) {
    notes[job.key] = ['not run (BENCH_ONLY)'];
    continue;
  }
  process.stderr.write(`\n== ${job.key} (${job.file}) ==\n`);
  const r = await runFigure(job);
  if (r.figure !== null) place(results, job.key, r.figure);
  notes[job.key] = r.notes;
  durations[job.key] = r.seconds;
}
fillMissing(results);
results.finishedAt = new Date().toISOString();
results.durationSec = Math.round((Date.now() - startedAt.getTime()) / 1000);
results.figureSeconds = durations;
results.targets = evaluateTargets(results);
results.notes = notes;
const invalid = invalidKeys(results);
if (invalid.length > 0) throw new Error(`results miss keys: ${invalid.join(', ')}`);

mkdirSync(RESULTS, { recursive: true });
const json = `${JSON.stringify(results, null, 2)}\n`;
writeFileSync(join(RESULTS, 'latest.json'), json);
writeFileSync(join(RESULTS, `${startedAt.toISOString().slice(0, 10)}.json`), json);
writeFileSync(join(RESULTS, 'latest.md'), renderMarkdown(results));
process.stdout.write(`${renderTable(results)}\n`);
process.stdout.write(
  `wrote bench/results/latest.json, ${startedAt.toISOString().slice(0, 10)}.json, latest.md (${results.durationSec} s)\n`,
);
