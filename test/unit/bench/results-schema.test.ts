import { describe, expect, it } from 'vitest';
import { evaluateTargets, fillMissing, invalidKeys, requiredKeys } from '../../../bench/results-schema.js';

describe('bench results key set', () => {
  it('lists every figure the issue names', () => {
    const keys = requiredKeys();
    for (const k of [
      'codec.avroRecPerSec',
      'codec.jsonRecPerSec',
      'windowing.barsPerSec',
      'inference.tfjs-cpu.b1.seqPerSec',
      'inference.tfjs-wasm.b1024.p99Ms',
      'inference.tfjs-node.maxAbsDiff',
      'inference.onnxruntime-node.b256.p50Ms',
      'endToEnd.embedded.ticksPerSec',
      'endToEnd.kafka.rssMb',
      'endToEnd.kafka.p99Ms',
      'kafkaClient.kafkajsMsgPerSec',
      'kafkaClient.platformaticMsgPerSec',
      'detect.rowsPerSec',
    ]) {
      expect(keys).toContain(k);
    }
    expect(keys).toHaveLength(6 + 4 * (1 + 4 * 3) + 2 * 4);
  });

  it('fills an empty results object with nulls so every key is present', () => {
    const results: Record<string, unknown> = { codec: { avroRecPerSec: 5 } };
    expect(invalidKeys(results).length).toBe(requiredKeys().length - 1);
    fillMissing(results);
    expect(invalidKeys(results)).toEqual([]);
    expect((results.codec as Record<string, unknown>).avroRecPerSec).toBe(5);
    expect((results.detect as Record<string, unknown>).rowsPerSec).toBeNull();
  });

  it('rejects values that are neither finite numbers nor null', () => {
    const results: Record<string, unknown> = {};
    fillMissing(results);
    (results.windowing as Record<string, unknown>).barsPerSec = 'fast';
    expect(invalidKeys(results)).toEqual(['windowing.barsPerSec']);
  });

  it('marks a target unmeasured when its key is null', () => {
    const results: Record<string, unknown> = {};
    fillMissing(results);
    (results.endToEnd as Record<string, Record<string, unknown>>).kafka = { p99Ms: 40, rssMb: 400 };
    const t = evaluateTargets(results);
    expect(t.find((x) => x.key === 'endToEnd.kafka.p99Ms')?.met).toBe(true);
    expect(t.find((x) => x.key === 'endToEnd.kafka.rssMb')?.met).toBe(false);
    expect(t.find((x) => x.key === 'detect.rowsPerSec')).toBeUndefined();
    expect(t.find((x) => x.key === 'endToEnd.embedded.p99Ms')?.met).toBeNull();
  });
});
