import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArrivalHeap } from '../../../services/windowing/arrival-heap.js';

describe('ArrivalHeap', () => {
  it('pops in arrival order whatever the push order, interleaved with pops', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(1_000), fc.boolean()), { maxLength: 200 }), (ops) => {
        const heap = new ArrivalHeap<{ seq: number }>();
        const reference: number[] = [];
        for (const [seq, popAfter] of ops) {
          heap.push({ seq });
          reference.push(seq);
          if (popAfter) {
            reference.sort((a, b) => a - b);
            expect(heap.pop()?.seq).toBe(reference.shift());
          }
        }
        reference.sort((a, b) => a - b);
        const rest: number[] = [];
        for (let x = heap.pop(); x !== undefined; x = heap.pop()) rest.push(x.seq);
        expect(rest).toEqual(reference);
        expect(heap.size).toBe(0);
      }),
    );
  });
});
