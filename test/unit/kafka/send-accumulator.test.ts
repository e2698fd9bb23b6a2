import { describe, expect, it } from 'vitest';
import { SendAccumulator } from '../../../services/shared/kafka/send-accumulator.js';

function recorder(fail?: (items: number[]) => boolean) {
  const flushes: number[][] = [];
  let release: (() => void) | undefined;
  let gated = false;
  const flush = async (items: number[]) => {
    flushes.push(items);
    if (gated) await new Promise<void>((r) => (release = r));
    if (fail?.(items)) throw new Error(`broker refused ${items.join(',')}`);
  };
  return {
    flushes,
    flush,
    gate: () => {
      gated = true;
    },
    release: () => {
      gated = false;
      release?.();
    },
  };
}

describe('SendAccumulator', () => {
  it('groups calls of the same tick into one flush after the linger time', async () => {
    const r = recorder();
    const acc = new SendAccumulator<number>(r.flush, { batchSize: 100, lingerMs: 5 });
    await Promise.all([acc.add([1, 2]), acc.add([3]), acc.add([4, 5])]);
    expect(r.flushes).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('sends as soon as a batch is full, never splitting a call', async () => {
    const r = recorder();
    const acc = new SendAccumulator<number>(r.flush, { batchSize: 3, lingerMs: 10_000 });
    r.gate();
    const first = acc.add([1, 2, 3]);
    const second = acc.add([4, 5]);
    const third = acc.add([6, 7]);
    expect(r.flushes).toEqual([[1, 2, 3]]);
    r.release();
    await Promise.all([first, second, third]);
    // [4,5] and [6,7] queued while the first flush was in flight; 4 > batchSize, so two flushes.
    expect(r.flushes).toEqual([
      [1, 2, 3],
      [4, 5],
      [6, 7],
    ]);
  });

  it('keeps one flush in flight and sends what queued meanwhile right after it', async () => {
    const r = recorder();
    const acc = new SendAccumulator<number>(r.flush, { batchSize: 100, lingerMs: 0 });
    r.gate();
    const a = acc.add([1]);
    const b = acc.add([2]);
    const c = acc.add([3]);
    expect(r.flushes).toEqual([[1]]);
    r.release();
    await Promise.all([a, b, c]);
    expect(r.flushes).toEqual([[1], [2, 3]]);
  });

  it('rejects every caller of a failed flush and nobody else', async () => {
    const r = recorder((items) => items.includes(2));
    const acc = new SendAccumulator<number>(r.flush, { batchSize: 2, lingerMs: 1 });
    const results = await Promise.allSettled([acc.add([1]), acc.add([2]), acc.add([3])]);
    expect(results.map((x) => x.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe('broker refused 1,2');
  });

  it('flushes what is waiting on close and refuses later sends', async () => {
    const r = recorder();
    const acc = new SendAccumulator<number>(r.flush, { batchSize: 100, lingerMs: 60_000 });
    const pending = acc.add([1, 2]);
    await acc.close();
    await pending;
    expect(r.flushes).toEqual([[1, 2]]);
    await expect(acc.add([3])).rejects.toThrow(/closed/);
  });

  it('resolves an empty send at once without a flush', async () => {
    const r = recorder();
    const acc = new SendAccumulator<number>(r.flush, { batchSize: 10, lingerMs: 1 });
    await acc.add([]);
    expect(r.flushes).toEqual([]);
  });
});
