import type { ProfileResult } from './nab-corpus-score.js';

/** A published NAB result (full 58-file corpus, NAB v1.1 scoreboard). */
export interface ScoreboardEntry {
  detector: string;
  standard: number;
  lowFp: number | null;
  lowFn: number | null;
}

export const NAB_SCOREBOARD: readonly ScoreboardEntry[] = [
  { detector: 'ARTime', standard: 74.9, lowFp: 65.1, lowFn: 80.4 },
  { detector: 'Numenta HTM', standard: 70.5, lowFp: 62.6, lowFn: 75.2 },
  { detector: 'CAD OSE', standard: 69.9, lowFp: 67.0, lowFn: 73.2 },
  { detector: 'KNN CAD', standard: 58.0, lowFp: 43.4, lowFn: 64.8 },
  { detector: 'Random Cut Forest', standard: 51.7, lowFp: 38.4, lowFn: 59.7 },
  { detector: 'Twitter ADVec', standard: 47.1, lowFp: 33.6, lowFn: 53.5 },
  { detector: 'Windowed Gaussian', standard: 39.6, lowFp: 20.9, lowFn: 47.4 },
  { detector: 'Random', standard: 11.0, lowFp: null, lowFn: null },
  { detector: 'Null (never fires)', standard: 0, lowFp: 0, lowFn: 0 },
];

export const NAB_FULL_CORPUS_FILES = 58;

export interface NabSummary {
  detector: string;
  dataDir: string;
  windowsFile: string;
  files: number;
  rows: number;
  windows: number;
  seconds: number;
  rowsPerSecond: number;
  parallel: number;
  backend: string;
  profiles: ProfileResult[];
  comparable: boolean;
  note: string;
  perFile: Array<{ file: string; rows: number; seconds: number }>;
}

export function coverageNote(files: number): string {
  return files === NAB_FULL_CORPUS_FILES
    ? 'Full NAB corpus: directly comparable with the published scoreboard.'
    : `Scored on ${files} of NAB's ${NAB_FULL_CORPUS_FILES} files, so NOT directly comparable with the published scoreboard (full corpus); shown for orientation only.`;
}

const fmt = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toFixed(1));

/** Markdown: our three normalised scores next to the published ones, and the per-profile details. */
export function nabMarkdown(s: NabSummary): string {
  const by = (name: string) => s.profiles.find((p) => p.profile === name);
  const lines = [
    `## NAB scores: ${s.detector}`,
    '',
    `> ${s.note}`,
    '',
    '| Detector | Standard | Reward low FP | Reward low FN | Corpus |',
    '| --- | ---: | ---: | ---: | --- |',
    `| **${s.detector} (ours)** | **${fmt(by('standard')?.normalizedScore)}** | **${fmt(by('reward_low_FP_rate')?.normalizedScore)}** | **${fmt(by('reward_low_FN_rate')?.normalizedScore)}** | ${s.files} files |`,
    ...NAB_SCOREBOARD.map(
      (e) =>
        `| ${e.detector} | ${fmt(e.standard)} | ${fmt(e.lowFp)} | ${fmt(e.lowFn)} | ${NAB_FULL_CORPUS_FILES} files |`,
    ),
    '',
    '| Profile | Threshold | Raw | Null | Perfect | Windows detected | FP rows |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...s.profiles.map(
      (p) =>
        `| ${p.profile} (${p.weights.tp}/${p.weights.fp}/${p.weights.fn}) | ${p.threshold.toFixed(4)} | ${p.rawScore.toFixed(3)} | ${p.nullScore.toFixed(1)} | ${p.perfectScore.toFixed(1)} | ${p.detectedWindows}/${p.windows} | ${p.falsePositiveRows} |`,
    ),
    '',
    `${s.files} files, ${s.rows} rows, ${s.windows} windows; detection ${s.seconds.toFixed(1)} s = ${Math.round(s.rowsPerSecond)} rows/s (${s.parallel} files in parallel, tfjs ${s.backend} backend).`,
    '',
  ];
  return lines.join('\n');
}
