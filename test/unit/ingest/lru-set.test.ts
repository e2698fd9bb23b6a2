import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LruSet } from '../../../services/ingest/framework/lru-set.js';

/** The obvious LRU: an array in recency order. */
class ArrayLru {
  keys: number[] = [];
  evicted: number[] = [];
  constructor(private readonly capacity: number) {}
  touch(k: number): boolean {
    const i = this.keys.indexOf(k);
    if (i >= 0) this.keys.splice(i, 1);
    this.keys.push(k);
    if (this.keys.length > this.capacity) this.evicted.push(this.keys.shift() as number);
    return i >= 0;
  }
}

describe('LruSet', () => {
  it('evicts exactly what an array-based LRU evicts, through many evictions', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 400 }),
        (cap, ops) => {
          const evicted: number[] = [];
          const lru = new LruSet<number>(cap, (k) => evicted.push(k));
          const model = new ArrayLru(cap);
          for (const k of ops) expect(lru.touch(k)).toBe(model.touch(k));
          expect(evicted).toEqual(model.evicted);
          expect(lru.size).toBe(model.keys.length);
          for (const k of model.keys) expect(lru.has(k)).toBe(true);
        },
      ),
    );
  });

  it('keeps evicting the oldest after tags were dropped', () => {
    const evicted: string[] = [];
    const lru = new LruSet<string>(2, (k) => evicted.push(k));
    lru.touch('a', 'p0');
    lru.touch('b', 'p1');
    lru.dropTags(new Set(['p0', 'p1']));
    lru.touch('c');
    lru.touch('d');
    lru.touch('e');
    expect(evicted).toEqual(['c']);
    expect(lru.has('d') && lru.has('e')).toBe(true);
  });
});
