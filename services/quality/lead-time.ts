/**
 * Alert lead time, in bars, on one symbol's consecutive scored bars.
 *
 * - An EPISODE is a maximal run of consecutive bars whose label is an event; it starts at bar s.
 *   (Consecutive event labels usually describe the same fall seen from successive days.)
 * - The episode's LOSS BAR is c = s + h*, where h* (1..H) is the first step at which bar s's
 *   cumulative return crosses its event level: the bar whose return completes the fall.
 * - The episode is DETECTED when some bar in [s - H, c - 1] alerts (score >= threshold): up to H
 *   bars before the episode starts, and no later than the bar before the loss.
 * - Its lead time is c - a for the first such alert a (>= 1: an alert on the loss bar is too late).
 *
 * leadTimeBars is the mean lead time over detected episodes; undefined (NaN) when none is detected.
 */
export interface LeadTimeSeries {
  /** Per bar: did the scorer alert. */
  alerts: readonly boolean[];
  /** Per bar: event label (1) or not (0). */
  events: readonly (0 | 1)[];
  /** Per bar with an event label: h* in 1..H; ignored elsewhere. */
  crossing: readonly (number | null)[];
}

export interface LeadTimeResult {
  episodes: number;
  detected: number;
  /** Mean of c - a over detected episodes (NaN when none). */
  meanLeadBars: number;
  leads: number[];
}

export function alertLeadTimes(series: readonly LeadTimeSeries[], horizon: number): LeadTimeResult {
  if (!(Number.isInteger(horizon) && horizon >= 1)) {
    throw new RangeError(`horizon must be an integer >= 1, got ${horizon}`);
  }
  const leads: number[] = [];
  let episodes = 0;
  for (const s of series) {
    const n = s.events.length;
    if (s.alerts.length !== n || s.crossing.length !== n) {
      throw new RangeError(
        `alerts, events and crossing must have equal lengths, got ${s.alerts.length}, ${n}, ${s.crossing.length}`,
      );
    }
    for (let start = 0; start < n; start++) {
      if (s.events[start] !== 1 || (start > 0 && s.events[start - 1] === 1)) continue;
      episodes++;
      const h = s.crossing[start];
      if (!(typeof h === 'number' && Number.isInteger(h) && h >= 1 && h <= horizon)) {
        throw new RangeError(`event bar ${start} needs a crossing step in 1..${horizon}, got ${String(h)}`);
      }
      const loss = start + h;
      for (let a = Math.max(0, start - horizon); a < loss && a < n; a++) {
        if (s.alerts[a]) {
          leads.push(loss - a);
          break;
        }
      }
    }
  }
  const mean = leads.length > 0 ? leads.reduce((x, y) => x + y, 0) / leads.length : Number.NaN;
  return { episodes, detected: leads.length, meanLeadBars: mean, leads };
}
