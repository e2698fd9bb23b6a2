import { describe, expect, it } from 'vitest';
import { alertLeadTimes } from '../../../services/quality/lead-time.js';

const H = 5;
const series = (alerts: string, events: string, crossing: Record<number, number>) => ({
  alerts: [...alerts].map((c) => c === '!'),
  events: [...events].map((c) => (c === 'E' ? 1 : 0)) as (0 | 1)[],
  crossing: [...events].map((_, i) => crossing[i] ?? null),
});

describe('alert lead time', () => {
  it('measures from the first alert in [s - H, c - 1] to the loss bar c = s + h*', () => {
    // Episode starts at bar 6 (bars 6-7 are events), loss at 6 + 2 = 8; first alert at bar 3 -> lead 5.
    const r = alertLeadTimes([series('...!!.....', '......EE..', { 6: 2, 7: 1 })], H);
    expect(r).toEqual({ episodes: 1, detected: 1, meanLeadBars: 5, leads: [5] });
  });
  it('ignores alerts earlier than H bars before the episode and on or after the loss bar', () => {
    // s = 7, c = 8: the window is bars 2..7; the alert at bar 1 is too early, the one at bar 8 too late.
    const r = alertLeadTimes([series('.!......!.', '.......E..', { 7: 1 })], H);
    expect(r.detected).toBe(0);
    expect(Number.isNaN(r.meanLeadBars)).toBe(true);
  });
  it('an alert on the episode start bar counts (the loss is still ahead)', () => {
    const r = alertLeadTimes([series('....!.....', '....E.....', { 4: 3 })], H);
    expect(r.leads).toEqual([3]);
  });
  it('averages over detected episodes of every series; misses are not averaged in', () => {
    const a = series('!.........', '..E.....E.', { 2: 1, 8: 1 }); // lead 3, then a miss
    const b = series('......!...', '........E.', { 8: 2 }); // loss at 10 (after the series), lead 4
    const r = alertLeadTimes([a, b], H);
    expect(r.episodes).toBe(3);
    expect(r.leads).toEqual([3, 4]);
    expect(r.meanLeadBars).toBe(3.5);
  });
  it('rejects an event without a crossing step', () => {
    expect(() => alertLeadTimes([series('.', 'E', {})], H)).toThrow(/crossing step in 1..5/);
  });
});
