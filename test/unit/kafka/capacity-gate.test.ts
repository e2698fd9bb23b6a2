import { describe, expect, it } from 'vitest';
import { CapacityGate } from '../../../services/shared/kafka/capacity-gate.js';

describe('CapacityGate', () => {
  it('returns at once when there is capacity', async () => {
    const gate = new CapacityGate(1_000);
    let ticks = 0;
    await gate.waitFor(
      () => true,
      () => false,
      async () => {
        ticks++;
      },
    );
    expect(ticks).toBe(0);
    expect(gate.waiting).toBe(0);
  });

  it('waits until notified with capacity', async () => {
    const gate = new CapacityGate(60_000);
    let free = false;
    let done = false;
    const waiting = gate
      .waitFor(
        () => free,
        () => false,
        async () => {},
      )
      .then(() => {
        done = true;
      });
    await new Promise((r) => setImmediate(r));
    gate.notify(); // woken without capacity: keeps waiting
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    free = true;
    gate.notify();
    await waiting;
    expect(done).toBe(true);
  });

  it('ticks (heartbeats) while it waits and stops when cancelled', async () => {
    const gate = new CapacityGate(10);
    let ticks = 0;
    let cancelled = false;
    await gate.waitFor(
      () => false,
      () => cancelled,
      async () => {
        ticks++;
        if (ticks === 3) cancelled = true;
      },
    );
    expect(ticks).toBe(3);
  });

  it('passes on what the tick throws (a rebalance aborts the wait)', async () => {
    const gate = new CapacityGate(5);
    await expect(
      gate.waitFor(
        () => false,
        () => false,
        async () => {
          throw new Error('The group is rebalancing');
        },
      ),
    ).rejects.toThrow(/rebalancing/);
    expect(gate.waiting).toBe(0);
  });
});
