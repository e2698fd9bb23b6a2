import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countBatchBefore,
  LineBuffer,
  type TakenBatch,
} from '../../../../services/shared/influx/line-buffer.js';

const fill = (b: LineBuffer, from: number, to: number) => {
  for (let i = from; i < to; i++) b.push(`l${i}`);
};

describe('LineBuffer', () => {
  it('is a FIFO that numbers lines in push order', () => {
    const b = new LineBuffer();
    fill(b, 0, 5);
    expect(b.firstSeq).toBe(0);
    expect(b.take(2).lines).toEqual(['l0', 'l1']);
    expect(b.firstSeq).toBe(2);
    expect(b.take(10).lines).toEqual(['l2', 'l3', 'l4']);
    expect(b.length).toBe(0);
    expect(b.firstSeq).toBe(5);
  });

  it('drops the oldest and puts a failed batch back in front with its own numbers', () => {
    const b = new LineBuffer();
    fill(b, 0, 6);
    const batch = b.take(2); // l0 l1 in flight
    expect(b.dropOldest(2)).toBe(2); // l2 l3 pushed out meanwhile
    b.requeueFront(batch);
    expect(b.length).toBe(4);
    expect(b.firstSeq).toBe(0);
    // l0 l1 are below seq 4, l4 l5 are not: the gap left by l2 l3 is remembered.
    expect(b.countBefore(4)).toBe(2);
    expect(b.countBefore(5)).toBe(3);
    expect(b.take(4).lines).toEqual(['l0', 'l1', 'l4', 'l5']);
  });

  it('counts a batch in flight by sequence number', () => {
    const b = new LineBuffer();
    fill(b, 0, 4);
    const batch = b.take(3);
    expect(countBatchBefore(batch, 2)).toBe(2);
    expect(countBatchBefore(batch, 99)).toBe(3);
  });

  it('compacts its storage as lines leave', () => {
    const b = new LineBuffer();
    fill(b, 0, 5000);
    b.take(4990);
    fill(b, 5000, 5010);
    expect(b.take(100).lines).toEqual(Array.from({ length: 20 }, (_, i) => `l${4990 + i}`));
  });

  it('matches a model of (seq, line) pairs for any sequence of operations (property)', () => {
    const op = fc.oneof(
      fc.record({ t: fc.constant('push' as const), n: fc.integer({ min: 1, max: 20 }) }),
      fc.record({ t: fc.constant('take' as const), n: fc.integer({ min: 1, max: 15 }) }),
      fc.record({ t: fc.constant('drop' as const), n: fc.integer({ min: 1, max: 15 }) }),
      fc.record({ t: fc.constant('requeue' as const), n: fc.constant(0) }),
      fc.record({ t: fc.constant('count' as const), n: fc.integer({ min: 0, max: 200 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const b = new LineBuffer();
        let model: { seq: number; line: string }[] = [];
        let taken: { batch: TakenBatch; items: { seq: number; line: string }[] } | undefined;
        let next = 0;
        for (const o of ops) {
          if (o.t === 'push') {
            for (let i = 0; i < o.n; i++) {
              b.push(`l${next}`);
              model.push({ seq: next, line: `l${next}` });
              next++;
            }
          } else if (o.t === 'take' && !taken) {
            const batch = b.take(o.n);
            const items = model.slice(0, o.n);
            model = model.slice(o.n);
            expect(batch.lines).toEqual(items.map((x) => x.line));
            taken = { batch, items };
          } else if (o.t === 'drop') {
            expect(b.dropOldest(o.n)).toBe(Math.min(o.n, model.length));
            model = model.slice(o.n);
          } else if (o.t === 'requeue' && taken) {
            b.requeueFront(taken.batch);
            model = [...taken.items, ...model];
            taken = undefined;
          } else if (o.t === 'count') {
            expect(b.countBefore(o.n)).toBe(model.filter((x) => x.seq < o.n).length);
          }
          expect(b.length).toBe(model.length);
          expect(b.firstSeq).toBe(model[0]?.seq ?? next);
        }
        if (taken) b.requeueFront(taken.batch);
        const all = [...(taken?.items ?? []), ...model].map((x) => x.line);
        expect(b.take(10_000).lines).toEqual(all);
      }),
    );
  });
});
