import { describe, expect, it } from 'vitest';
import { KeyDeduplicator, SequenceDeduplicator } from '../../../services/ingest/framework/deduplicator.js';
import { LruSet } from '../../../services/ingest/framework/lru-set.js';

describe('LruSet', () => {
  it('keeps at most capacity keys and forgets the least recently touched', () => {
    const evicted: string[] = [];
    const s = new LruSet<string>(3, (k) => evicted.push(k));
    for (const k of ['a', 'b', 'c']) s.touch(k);
    expect(s.touch('a')).toBe(true); // refresh a: b is now the oldest
    s.touch('d');
    expect(evicted).toEqual(['b']);
    expect(s.size).toBe(3);
    expect(s.has('a') && s.has('c') && s.has('d')).toBe(true);
  });

  it('drops keys by tag', () => {
    const s = new LruSet<string>(10);
    s.touch('x', 'p0');
    s.touch('y', 'p1');
    s.dropTags(new Set(['p0']));
    expect(s.has('x')).toBe(false);
    expect(s.has('y')).toBe(true);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new LruSet(0)).toThrow(/positive integer, got 0/);
  });
});

describe('KeyDeduplicator', () => {
  it('flags a repeated key and stays within its capacity', () => {
    const d = new KeyDeduplicator<string>((s) => s, 100);
    expect(d.isDuplicate('n1', 'p')).toBe(false);
    expect(d.isDuplicate('n1', 'p')).toBe(true);
    for (let i = 0; i < 10_000; i++) d.isDuplicate(`k${i}`, 'p');
    expect(d.size).toBe(100);
    // n1 was evicted long ago: bounded memory means an old duplicate can pass again.
    expect(d.isDuplicate('n1', 'p')).toBe(false);
  });

  it('forgets the keys of revoked partitions so their redelivered records count as new', () => {
    const d = new KeyDeduplicator<string>((s) => s, 100);
    d.isDuplicate('a', 'news:0');
    d.isDuplicate('b', 'news:1');
    d.forget(new Set(['news:0']));
    expect(d.isDuplicate('a', 'news:0')).toBe(false);
    expect(d.isDuplicate('b', 'news:1')).toBe(true);
  });
});

describe('SequenceDeduplicator', () => {
  type T = { s: string; q: number };
  const make = (capacity: number) =>
    new SequenceDeduplicator<T>(
      (t) => t.s,
      (t) => t.q,
      capacity,
    );

  it('accepts increasing sequences and flags repeats per symbol', () => {
    const d = make(100);
    expect(d.isDuplicate({ s: 'A', q: 1 }, 'p')).toBe(false);
    expect(d.isDuplicate({ s: 'A', q: 2 }, 'p')).toBe(false);
    expect(d.isDuplicate({ s: 'B', q: 1 }, 'p')).toBe(false);
    expect(d.isDuplicate({ s: 'A', q: 1 }, 'p')).toBe(true);
    expect(d.isDuplicate({ s: 'A', q: 2 }, 'p')).toBe(true);
  });

  it('accepts a sequence below the high-water mark that fills a gap', () => {
    const d = make(100);
    d.isDuplicate({ s: 'A', q: 1 }, 'p');
    d.isDuplicate({ s: 'A', q: 3 }, 'p');
    expect(d.isDuplicate({ s: 'A', q: 2 }, 'p')).toBe(false);
    expect(d.isDuplicate({ s: 'A', q: 2 }, 'p')).toBe(true);
  });

  it('treats sequences the LRU has forgotten as seen, in bounded memory', () => {
    const d = make(10);
    for (let q = 1; q <= 1_000; q++) expect(d.isDuplicate({ s: 'A', q }, 'p')).toBe(false);
    expect(d.remembered).toBe(10);
    expect(d.keys).toBe(1);
    expect(d.isDuplicate({ s: 'A', q: 5 }, 'p')).toBe(true);
    expect(d.isDuplicate({ s: 'A', q: 995 }, 'p')).toBe(true);
    expect(d.isDuplicate({ s: 'A', q: 1_001 }, 'p')).toBe(false);
  });

  it('forgets revoked partitions', () => {
    const d = make(10);
    d.isDuplicate({ s: 'A', q: 1 }, 'ticks:0');
    d.forget(new Set(['ticks:0']));
    expect(d.isDuplicate({ s: 'A', q: 1 }, 'ticks:0')).toBe(false);
  });
});
