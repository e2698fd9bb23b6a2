const DAY_MS = 86_400_000;
/** 1970-01-01 was a Thursday: day index 0 is Thursday, so (days + 4) % 7 is 0 on Sunday. */
const weekday = (t: number) => (Math.floor(t / DAY_MS) + 4) % 7;

/** Start of the bar holding `t`: bars are aligned to the Unix epoch in UTC. */
export const barStartOf = (t: number, intervalMs: number): number => Math.floor(t / intervalMs) * intervalMs;

/** Saturday or Sunday in UTC. */
export const isWeekend = (t: number): boolean => {
  const d = weekday(t);
  return d === 0 || d === 6;
};

/** First bar start at or after `t` that is not on a weekend (UTC). */
export function nextWeekdayBarStart(t: number, intervalMs: number): number {
  if (!isWeekend(t)) return t;
  const d = weekday(t);
  const monday = (Math.floor(t / DAY_MS) + (d === 6 ? 2 : 1)) * DAY_MS;
  return Math.ceil(monday / intervalMs) * intervalMs;
}
