/**
 * One alert per episode: once the score reaches `level`, the next `rows` rows are suppressed
 * (reported as 0) unless they exceed the highest score reported in the episode, which then
 * restarts it. Exceeding the episode's peak is what keeps this safe for any alert threshold at
 * or above `level`: a row that would be the first to cross such a threshold is never
 * suppressed, only repeats at or below an earlier, already reported score are. Below `level`
 * nothing starts an episode. A sustained anomaly alerts again every `rows` rows.
 */
export interface DeduplicationParams {
  /** Score at which an episode starts (0.5: the alarm level of both tracker scores). */
  level: number;
  /** Rows an episode lasts after its last reported peak. */
  rows: number;
}

export class AlertDeduplicator {
  private peak = Number.NEGATIVE_INFINITY;
  private age = Number.POSITIVE_INFINITY;

  constructor(readonly params: DeduplicationParams) {
    if (!(params.level > 0 && params.level <= 1)) {
      throw new RangeError(`deduplication level must be in (0, 1], got ${params.level}`);
    }
    if (!(Number.isInteger(params.rows) && params.rows >= 1)) {
      throw new RangeError(`deduplication rows must be an integer >= 1, got ${params.rows}`);
    }
  }

  /** The score to report for this row's score. */
  filter(score: number): number {
    this.age++;
    const inEpisode = this.age <= this.params.rows;
    if (inEpisode && !(score > this.peak)) return 0;
    if (score >= this.params.level) {
      this.peak = score;
      this.age = 0;
    }
    return score;
  }

  reset(): void {
    this.peak = Number.NEGATIVE_INFINITY;
    this.age = Number.POSITIVE_INFINITY;
  }
}
