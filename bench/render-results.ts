import { evaluateTargets, INFERENCE_BATCHES, INFERENCE_RUNTIMES } from './results-schema.js';

type Json = Record<string, unknown>;

function get(root: unknown, path: string): unknown {
  let at = root;
  for (const p of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Json)[p];
  }
  return at;
}

function fmt(v: unknown): string {
  if (typeof v !== 'number') return 'n/a';
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  if (v !== 0 && Math.abs(v) < 0.001) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

/** "median (min-max)" for a figure key that has a spread entry. */
function cell(results: unknown, figure: string, key: string): string {
  const median = get(results, `${figure}.${key}`);
  const s = get(results, `${figure}.spread.${key}`) as { min?: number; max?: number } | undefined;
  return s && typeof s.min === 'number' ? `${fmt(median)} (${fmt(s.min)}-${fmt(s.max)})` : fmt(median);
}

/** Rows of [figure, value] shared by the terminal table and the markdown summary. */
export function rows(results: unknown): [string, string][] {
  const out: [string, string][] = [
    ['codec avro rec/s', cell(results, 'codec', 'avroRecPerSec')],
    ['codec json rec/s', cell(results, 'codec', 'jsonRecPerSec')],
    ['windowing bars/s', cell(results, 'windowing', 'barsPerSec')],
  ];
  const runtimes = Object.keys((get(results, 'inference') as Json | undefined) ?? {});
  for (const r of [
    ...INFERENCE_RUNTIMES,
    ...runtimes.filter((x) => !(INFERENCE_RUNTIMES as readonly string[]).includes(x)),
  ]) {
    for (const b of INFERENCE_BATCHES) {
      const f = `inference.${r}.b${b}`;
      out.push([
        `inference ${r} b${b} seq/s | p50 | p99 ms`,
        `${cell(results, f, 'seqPerSec')} | ${fmt(get(results, `${f}.p50Ms`))} | ${fmt(get(results, `${f}.p99Ms`))}`,
      ]);
    }
    out.push([`inference ${r} max |diff| vs tfjs cpu`, fmt(get(results, `inference.${r}.maxAbsDiff`))]);
  }
  for (const m of ['embedded', 'kafka']) {
    const f = `endToEnd.${m}`;
    out.push([`end-to-end ${m} ticks/s`, cell(results, f, 'ticksPerSec')]);
    out.push([
      `end-to-end ${m} bar->score p50 | p99 ms`,
      `${cell(results, f, 'p50Ms')} | ${cell(results, f, 'p99Ms')}`,
    ]);
    out.push([`end-to-end ${m} peak RSS MB`, cell(results, f, 'rssMb')]);
  }
  out.push(['kafka consume kafkajs msg/s', cell(results, 'kafkaClient', 'kafkajsMsgPerSec')]);
  out.push([
    'kafka consume @platformatic/kafka msg/s',
    cell(results, 'kafkaClient', 'platformaticMsgPerSec'),
  ]);
  out.push(['detect NAB rows/s', cell(results, 'detect', 'rowsPerSec')]);
  return out;
}

export function renderTable(results: unknown): string {
  const r = rows(results);
  const w = Math.max(...r.map(([k]) => k.length));
  const lines = r.map(([k, v]) => `${k.padEnd(w)}  ${v}`);
  const t = evaluateTargets(results).map(
    (x) => `${x.met === null ? 'n/a ' : x.met ? 'MET ' : 'MISS'}  ${x.name}: ${fmt(x.got)} (want ${x.want})`,
  );
  return [...lines, '', 'targets:', ...t].join('\n');
}

export function renderMarkdown(results: unknown): string {
  const m = get(results, 'machine') as Json;
  const notes = (get(results, 'notes') as Record<string, string[]> | undefined) ?? {};
  const lines = [
    `# Benchmark results (${String(get(results, 'startedAt'))})`,
    '',
    `Machine: ${String(m.cpuModel)}, ${String(m.cores)} cores, ${String(m.memGb)} GB, Node ${String(m.node)}. ` +
      `Packages: ${Object.entries(m.packages as Record<string, string | null>)
        .map(([k, v]) => `${k} ${v ?? 'absent'}`)
        .join(', ')}.`,
    '',
    `Reproduce with \`make bench\` (${String(get(results, 'durationSec'))} s). Values: median (min-max) over the runs.`,
    '',
    '| figure | value |',
    '| --- | --- |',
    ...rows(results).map(([k, v]) => `| ${k} | ${v.replaceAll('|', '/')} |`),
    '',
    '## Targets',
    '',
    '| target | measured | want | met |',
    '| --- | --- | --- | --- |',
    ...evaluateTargets(results).map(
      (t) =>
        `| ${t.name} | ${fmt(t.got)} | ${t.want} | ${t.met === null ? 'not measured' : t.met ? 'yes' : 'no'} |`,
    ),
    '',
    '## Notes',
    '',
    ...Object.entries(notes).flatMap(([k, v]) => v.map((n) => `- ${k}: ${n}`)),
    '',
  ];
  return lines.join('\n');
}
