import { describe, expect, it } from 'vitest';
import { CommitLedger } from '../../../services/shared/kafka/commit-ledger.js';

describe('CommitLedger', () => {
  it('keeps the latest pending offset per partition until the broker confirms it', () => {
    const ledger = new CommitLedger();
    ledger.add(new Map([['t.a:0', 5]]));
    ledger.add(
      new Map([
        ['t.a:0', 7],
        ['t.a:1', 2],
      ]),
    );
    const due = ledger.due();
    expect(due).toEqual([
      { topic: 't.a', partition: 0, offset: 7 },
      { topic: 't.a', partition: 1, offset: 2 },
    ]);
    ledger.add(new Map([['t.a:1', 3]])); // moved while the commit was in flight
    ledger.confirm(due);
    expect(ledger.committed()).toEqual(
      new Map([
        ['t.a:0', 7],
        ['t.a:1', 2],
      ]),
    );
    expect(ledger.due()).toEqual([{ topic: 't.a', partition: 1, offset: 3 }]);
  });

  it('drops pending offsets of partitions no longer owned', () => {
    const ledger = new CommitLedger();
    ledger.add(
      new Map([
        ['x:0', 1],
        ['x:1', 1],
      ]),
    );
    ledger.retainOnly((_, p) => p === 1);
    expect(ledger.due()).toEqual([{ topic: 'x', partition: 1, offset: 1 }]);
  });

  it('ignores "nothing acked yet" (-1) and shares confirmed offsets when asked to', () => {
    const shared = new Map<string, number>();
    const a = new CommitLedger(shared);
    const b = new CommitLedger(shared);
    a.add(new Map([['x:0', -1]]));
    expect(a.hasPending).toBe(false);
    a.confirm([{ topic: 'x', partition: 0, offset: 4 }]);
    b.confirm([{ topic: 'x', partition: 1, offset: 9 }]);
    expect(b.committedOffset('x', 0)).toBe(4);
    expect(shared.size).toBe(2);
  });
});
