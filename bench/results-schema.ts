/**
 * The key set of bench/results/*.json. Every key is always present: a figure that could not be
 * measured is null with a `notes.<figure>` entry saying why.
 */
export const INFERENCE_RUNTIMES = ['tfjs-cpu', 'tfjs-wasm', 'tfjs-node', 'onnxruntime-node'] as const;
export const INFERENCE_BATCHES = [1, 32, 256, 1024] as const;
export const END_TO_END_MODES = ['embedded', 'kafka'] as const;

/** Dotted paths of every figure value the issue asks for. */
export function requiredKeys(): string[] {
  const keys = [
    'codec.avroRecPerSec',
    'codec.jsonRecPerSec',
    'windowing.barsPerSec',
    'kafkaClient.kafkajsMsgPerSec',
    'kafkaClient.platformaticMsgPerSec',
    'detect.rowsPerSec',
  ];
  for (const r of INFERENCE_RUNTIMES) {
    keys.push(`inference.${r}.maxAbsDiff`);
    for (const b of INFERENCE_BATCHES) {
      for (const k of ['seqPerSec', 'p50Ms', 'p99Ms']) keys.push(`inference.${r}.b${b}.${k}`);
    }
  }
  for (const m of END_TO_END_MODES) {
    for (const k of ['ticksPerSec', 'p50Ms', 'p99Ms', 'rssMb']) keys.push(`endToEnd.${m}.${k}`);
  }
  return keys;
}

function lookup(root: unknown, path: string): { present: boolean; value: unknown } {
  let at: unknown = root;
  for (const part of path.split('.')) {
    if (at === null || typeof at !== 'object' || !(part in (at as object)))
      return { present: false, value: undefined };
    at = (at as Record<string, unknown>)[part];
  }
  return { present: true, value: at };
}

/** Required keys absent from results or holding something other than a finite number or null. */
export function invalidKeys(results: unknown): string[] {
  return requiredKeys().filter((k) => {
    const { present, value } = lookup(results, k);
    return !present || !(value === null || (typeof value === 'number' && Number.isFinite(value)));
  });
}

/** Sets every missing required key to null (creating the objects on the way). */
export function fillMissing(results: Record<string, unknown>): void {
  for (const key of requiredKeys()) {
    const parts = key.split('.');
    let at = results;
    for (const part of parts.slice(0, -1)) {
      const next = at[part];
      if (next === null || typeof next !== 'object') at[part] = {};
      at = at[part] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1] as string;
    const v = at[last];
    if (!(v === null || (typeof v === 'number' && Number.isFinite(v)))) at[last] = null;
  }
}

export interface Target {
  name: string;
  /** Dotted key the target reads. */
  key: string;
  op: '>=' | '<=';
  threshold: number;
}

export const TARGETS: readonly Target[] = [
  {
    name: 'scorer seq/s per core, batch 256',
    key: 'inference.onnxruntime-node.b256.seqPerSec',
    op: '>=',
    threshold: 20_000,
  },
  {
    name: 'scorer seq/s per core, batch 1024',
    key: 'inference.onnxruntime-node.b1024.seqPerSec',
    op: '>=',
    threshold: 20_000,
  },
  {
    name: 'ingest ticks/s per process, local broker',
    key: 'endToEnd.kafka.ticksPerSec',
    op: '>=',
    threshold: 100_000,
  },
  {
    name: 'bar-to-score p99 ms, 5,000 symbols x 1 Hz (kafka)',
    key: 'endToEnd.kafka.p99Ms',
    op: '<=',
    threshold: 50,
  },
  {
    name: 'bar-to-score p99 ms, 5,000 symbols x 1 Hz (embedded)',
    key: 'endToEnd.embedded.p99Ms',
    op: '<=',
    threshold: 50,
  },
  { name: 'peak RSS MB at 5,000 symbols (kafka)', key: 'endToEnd.kafka.rssMb', op: '<=', threshold: 300 },
  {
    name: 'peak RSS MB at 5,000 symbols (embedded)',
    key: 'endToEnd.embedded.rssMb',
    op: '<=',
    threshold: 300,
  },
];

export function evaluateTargets(
  results: unknown,
): { name: string; key: string; want: string; got: number | null; met: boolean | null }[] {
  return TARGETS.map((t) => {
    const v = lookup(results, t.key).value;
    const got = typeof v === 'number' ? v : null;
    const met = got === null ? null : t.op === '>=' ? got >= t.threshold : got <= t.threshold;
    return { name: t.name, key: t.key, want: `${t.op} ${t.threshold}`, got, met };
  });
}
